"""What the workbench answers: manufacturability reports with typed violations, costs, masses."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Vec3 = tuple[float, float, float]
"""A point or size in metres."""

ProcessName = Literal["fdm_3d_print", "cnc_milling", "injection_moulding", "laser_cutting"]
"""A manufacturing process a workbench can judge (the spec's ``Process`` values plus moulding)."""

Unit = Literal["m", "m2", "deg"]
"""Unit of a violation's value and limit."""


class ResultModel(BaseModel):
    """Base of workbench results: strict, immutable, JSON-serialisable into tool results."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ViolationKind(StrEnum):
    """A manufacturing rule a part breaks, by name."""

    thin_wall = "thin_wall"
    """Somewhere the part is thinner than the process's minimum wall."""
    overhang = "overhang"
    """Downward faces lean further from vertical than the printer can print unsupported."""
    insufficient_draft = "insufficient_draft"
    """Faces are too close to parallel with the mould's pull direction to release."""
    undercut = "undercut"
    """Faces are hidden from the pull (or tool) direction by the part itself."""
    sharp_internal_corner = "sharp_internal_corner"
    """An internal corner along the tool axis is tighter than the cutter's radius."""
    exceeds_envelope = "exceeds_envelope"
    """The part does not fit the machine (build volume, travel, mould or sheet size)."""
    material_not_allowed = "material_not_allowed"
    """The process cannot use the chosen material."""
    wrong_sheet_thickness = "wrong_sheet_thickness"
    """A laser-cut part is not exactly one sheet thick."""
    not_a_profile = "not_a_profile"
    """A laser-cut part has faces neither across nor along the sheet (bevels, pockets)."""


class Region(ResultModel):
    """An axis-aligned box around the offending geometry."""

    low: Vec3
    """Lower corner, m."""
    high: Vec3
    """Upper corner, m."""


class Violation(ResultModel):
    """One broken rule, with where it happens and by how much."""

    kind: ViolationKind
    """Which rule."""
    message: str
    """The problem in words, with the measured value and the limit."""
    value: float | None = None
    """The worst measured value (thinnest wall, steepest overhang, ...), in ``unit``."""
    limit: float | None = None
    """The process's limit for ``value``, in ``unit``."""
    unit: Unit | None = None
    """Unit of ``value`` and ``limit``."""
    location: Vec3 | None = None
    """Where the worst value was measured, m (in the part's frame)."""
    region: Region | None = None
    """Box around all the offending geometry."""
    area_m2: float | None = None
    """Surface area affected, m^2."""
    area_fraction: float | None = Field(default=None, ge=0, le=1)
    """Share of the part's surface affected."""


class Measurements(ResultModel):
    """What the workbench measured on the mesh, whether or not a rule was broken."""

    extent_m: Vec3
    """Bounding-box size along x, y, z."""
    surface_area_m2: float
    """Total surface area."""
    volume_m3: float
    """Enclosed volume of the mesh."""
    min_wall_m: float | None = None
    """Thinnest wall found by inward ray casting."""
    median_wall_m: float | None = None
    """Area-weighted median wall thickness (the nominal wall)."""
    overhang_area_m2: float | None = None
    """Area of faces steeper than the overhang limit (FDM)."""
    low_draft_area_m2: float | None = None
    """Area of faces with less than the minimum draft (moulding)."""
    undercut_area_m2: float | None = None
    """Area of faces hidden from the pull or tool direction."""
    min_internal_radius_m: float | None = None
    """Tightest internal corner along the tool axis (0 for a sharp corner) (CNC)."""


class ManufacturabilityReport(ResultModel):
    """Whether one part can be made by one process, and every rule it breaks."""

    part: str
    """The part judged."""
    process: ProcessName
    """The process it was judged for."""
    material: str | None
    """The material judged, or None when not given."""
    manufacturable: bool
    """True when there are no violations."""
    checked: tuple[ViolationKind, ...]
    """The rules this process checks."""
    violations: tuple[Violation, ...]
    """Every rule broken, worst first within each kind."""
    measurements: Measurements
    """What was measured."""


class CostBreakdown(ResultModel):
    """The engineer's estimate of what one part costs to make, per unit of a batch."""

    part: str
    """The part costed."""
    process: ProcessName
    """The process costed."""
    material: str
    """The material costed."""
    quantity: int = Field(ge=1)
    """Units in the batch; setup and tooling are shared between them."""
    mass_kg: float
    """Mass of one part (mesh volume x density)."""
    material_cost: float
    """Mass x price per kg: the material cost benchmarks limit."""
    waste_cost: float
    """Material bought but not in the part (stock machined away, purge, runners)."""
    machine_time_h: float
    """Machine hours per unit."""
    machine_cost: float
    """Machine hours x the machine's hourly rate."""
    setup_cost: float
    """Setup of the whole batch (programming, fixturing, bed or mould preparation)."""
    tooling_cost: float
    """Tooling of the whole batch (the mould; zero for FDM, CNC and laser)."""
    setup_cost_per_unit: float
    """``setup_cost / quantity``."""
    tooling_cost_per_unit: float
    """``tooling_cost / quantity``."""
    unit_cost: float
    """Material, waste, machine, setup and tooling per unit."""
    batch_cost: float
    """``unit_cost * quantity``."""
    basis: tuple[str, ...]
    """How each line was computed, with the rates used."""


class MassEstimate(ResultModel):
    """The engineer's estimate of one part's mass (the simrunner recomputes it independently)."""

    part: str
    """The part weighed."""
    material: str
    """Its material."""
    density_kg_m3: float
    """Density used, kg/m^3."""
    volume_m3: float
    """Enclosed volume of the mesh."""
    mass_kg: float
    """``volume_m3 * density_kg_m3``."""
    centre_of_mass_m: Vec3
    """Centre of mass at uniform density, in the part's frame."""
    extent_m: Vec3
    """Bounding-box size along x, y, z."""
