"""Process rules and cost rates of each workbench, with documented defaults.

The benchmark spec's ``ProcessRules`` says what a benchmark enforces (machine size,
minimum thickness, materials); ``rules_for`` starts from these defaults and takes
every value the spec sets. The rest (overhang limit, tool radius, draft, rates) are
typical figures for a small job shop, in SI units and abstract currency units.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, assert_never

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from arena_core.spec import Process, ProcessRules
from engineer.workbench.report import ProcessName, Vec3


def _positive_vector(value: Vec3) -> Vec3:
    if not all(math.isfinite(c) for c in value):
        raise ValueError("must be finite")
    if min(value) <= 0:
        raise ValueError("every size must be positive")
    return value


def _direction(value: Vec3) -> Vec3:
    norm = math.sqrt(sum(c * c for c in value))
    if not math.isfinite(norm) or norm < 1e-9:
        raise ValueError("a direction must be finite and non-zero")
    return (value[0] / norm, value[1] / norm, value[2] / norm)


Size = Annotated[Vec3, AfterValidator(_positive_vector)]
"""Three positive lengths, m."""
Direction = Annotated[Vec3, AfterValidator(_direction)]
"""A direction, normalised on input."""
Length = Annotated[float, Field(gt=0, allow_inf_nan=False)]
"""A positive length, m."""
Rate = Annotated[float, Field(gt=0, allow_inf_nan=False)]
"""A positive rate."""
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""An amount in currency units."""
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share between 0 and 1."""
Degrees = Annotated[float, Field(ge=0, le=90, allow_inf_nan=False)]
"""An angle in degrees."""


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    envelope_m: Size
    """Largest part the machine takes, m; compared sorted, so any orientation fits."""
    min_wall_m: Length
    """Thinnest wall the process makes reliably, m."""
    materials: tuple[str, ...] = ()
    """Materials the process can use; empty = any."""
    machine_rate_per_h: Money
    """Machine and operator cost per hour."""
    setup_cost: Money
    """Cost of preparing one batch, shared by its units."""


class FdmRules(_Rules):
    """A desktop FDM printer printing solid parts along ``build_direction``."""

    process: Literal["fdm_3d_print"] = "fdm_3d_print"
    envelope_m: Size = (0.25, 0.25, 0.25)
    min_wall_m: Length = 0.0012
    materials: tuple[str, ...] = ("pla", "abs")
    machine_rate_per_h: Money = 3.0
    setup_cost: Money = 5.0
    build_direction: Direction = (0.0, 0.0, 1.0)
    """Direction layers stack up in, in the part's frame."""
    max_overhang_deg: Degrees = 45.0
    """Steepest downward face printable without support, measured from vertical."""
    deposition_rate_m3_per_h: Rate = 15e-6
    """Plastic laid down per hour (15 cm^3/h)."""
    waste_fraction: Fraction = 0.05
    """Extra material for purge, skirt and failed starts, as a share of the part's."""


class CncRules(_Rules):
    """A 3-axis mill cutting a part from a block with flat end mills along ``tool_axis``."""

    process: Literal["cnc_milling"] = "cnc_milling"
    envelope_m: Size = (0.4, 0.3, 0.1)
    min_wall_m: Length = 0.002
    materials: tuple[str, ...] = ("aluminium", "steel")
    machine_rate_per_h: Money = 60.0
    setup_cost: Money = 100.0
    tool_axis: Direction = (0.0, 0.0, 1.0)
    """Spindle axis in the part's frame; the part may be flipped once (machined from both ends)."""
    tool_radius_m: Length = 0.003
    """Radius of the smallest end mill (6 mm diameter); internal corners along the axis need it."""
    stock_allowance_m: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.002
    """Stock beyond the part's bounding box on every side, m."""
    removal_rate_m3_per_h: Rate = 300e-6
    """Material removed per hour when roughing (300 cm^3/h)."""
    finishing_rate_m2_per_h: Rate = 0.05
    """Surface finished per hour (500 cm^2/h)."""


class MouldingRules(_Rules):
    """A two-plate injection mould opening along ``pull_direction``."""

    process: Literal["injection_moulding"] = "injection_moulding"
    envelope_m: Size = (0.3, 0.3, 0.15)
    min_wall_m: Length = 0.001
    materials: tuple[str, ...] = ("abs", "pla")
    machine_rate_per_h: Money = 40.0
    setup_cost: Money = 500.0
    pull_direction: Direction = (0.0, 0.0, 1.0)
    """Direction the mould halves separate in, in the part's frame."""
    min_draft_deg: Degrees = 1.0
    """Smallest taper of faces along the pull so the part releases."""
    mould_base_cost: Money = 5000.0
    """Mould base, machining and fitting of a simple mould."""
    mould_cost_per_m2: Money = 200_000.0
    """Extra mould cost per m^2 of the part's area projected along the pull (20 per cm^2)."""
    side_action_cost: Money = 2000.0
    """A side action added to the mould when the part has undercuts."""
    base_cycle_s: Rate = 10.0
    """Injection, mould opening and ejection time per shot."""
    cooling_s_per_mm2: Rate = 2.0
    """Cooling time per shot per (nominal wall in mm) squared."""
    waste_fraction: Fraction = 0.1
    """Runners and sprue, as a share of the part's material."""


class LaserRules(_Rules):
    """A laser cutter cutting flat profiles out of ``sheet_thickness_m`` sheets."""

    process: Literal["laser_cutting"] = "laser_cutting"
    envelope_m: Size = (0.6, 0.4, 0.006)
    min_wall_m: Length = 0.002
    materials: tuple[str, ...] = ("plywood",)
    machine_rate_per_h: Money = 30.0
    setup_cost: Money = 10.0
    sheet_thickness_m: Length = 0.006
    """Thickness of the sheets; every part is exactly one sheet thick."""
    sheet_tolerance_m: Length = 1e-4
    """How far a part's thickness may differ from the sheet's."""
    cut_speed_m_per_h: Rate = 36.0
    """Length of profile cut per hour (10 mm/s)."""


WorkbenchRules = Annotated[
    FdmRules | CncRules | MouldingRules | LaserRules, Field(discriminator="process")
]
"""The rules of any workbench, told apart by ``process``."""

AnyRules = FdmRules | CncRules | MouldingRules | LaserRules
"""The rule types, for ``isinstance`` and annotations."""


def default_rules(process: ProcessName) -> AnyRules:
    """The default rules of ``process``."""
    if process == "fdm_3d_print":
        return FdmRules()
    if process == "cnc_milling":
        return CncRules()
    if process == "injection_moulding":
        return MouldingRules()
    if process == "laser_cutting":
        return LaserRules()
    assert_never(process)


def rules_for(spec_rules: ProcessRules) -> AnyRules:
    """The workbench rules enforcing a benchmark's ``ProcessRules``, defaults elsewhere."""
    overrides: dict[str, object] = {}
    if spec_rules.max_extent is not None:
        overrides["envelope_m"] = spec_rules.max_extent
    if spec_rules.min_thickness is not None:
        # The spec's minimum thickness is the thinnest a part may be anywhere, i.e. a wall.
        overrides["min_wall_m"] = spec_rules.min_thickness
    if spec_rules.materials:
        overrides["materials"] = spec_rules.materials
    process = spec_rules.process
    if process is Process.fdm_3d_print:
        return FdmRules.model_validate(overrides)
    if process is Process.cnc_milling:
        return CncRules.model_validate(overrides)
    if process is Process.laser_cutting:
        if spec_rules.sheet_thickness is not None:
            overrides["sheet_thickness_m"] = spec_rules.sheet_thickness
        return LaserRules.model_validate(overrides)
    assert_never(process)
