"""What ``run_cad`` returns: measured parts and named rejections. SI units throughout."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from arena_core.sandbox import ExitReason

Vec3 = tuple[float, float, float]


class RejectReason(StrEnum):
    """Why a script or one of its parts was not accepted."""

    code_error = "code_error"
    """The script raised while loading or in ``build()`` (the detail has the traceback)."""
    no_build = "no_build"
    """The script defines no ``build()`` function."""
    no_parts = "no_parts"
    """``build()`` returned an empty list."""
    bad_return = "bad_return"
    """``build()`` returned something other than a list of ``Part``."""
    too_many_parts = "too_many_parts"
    """More parts than the harness accepts (64)."""
    invalid_name = "invalid_name"
    """A part name is not a lowercase identifier (``[a-z][a-z0-9_]*``, at most 64)."""
    duplicate_name = "duplicate_name"
    """Two parts share a name."""
    invalid_role = "invalid_role"
    """A role is not a lowercase identifier."""
    invalid_density = "invalid_density"
    """A density is not a positive finite number of kg/m^3."""
    not_a_shape = "not_a_shape"
    """A part's shape is not a build123d shape."""
    empty = "empty"
    """The shape holds no solid, or its volume is zero."""
    non_manifold = "non_manifold"
    """Open shells, or edges shared by more than two faces (solids touching on an edge)."""
    invalid_shape = "invalid_shape"
    """The B-rep fails OCCT's validity check."""
    mesh_failed = "mesh_failed"
    """Tessellation failed or produced no triangles."""
    timeout = "timeout"
    """The sandbox's time or CPU limit ended the script."""
    memory = "memory"
    """The sandbox's memory limit ended the script."""
    crashed = "crashed"
    """The sandbox process died without a result (signal, file-size limit, exit)."""


class CadRejection(BaseModel):
    """One reason the script, or one part of it, was rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: RejectReason
    """What is wrong, by name."""
    detail: str
    """What is wrong, in words (a traceback for ``code_error``)."""
    part: str | None = None
    """The part concerned, or None for the whole script."""


class CadPart(BaseModel):
    """One accepted part: its mesh and mass properties (metres, kilograms)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    """Unique part name from the script."""
    role: str
    """Role from the script (what the benchmark or design uses it for)."""
    density_kg_m3: float = Field(gt=0)
    """Density the script gave, kg/m^3."""
    volume_m3: float = Field(gt=0)
    """Exact B-rep volume, m^3."""
    mass_kg: float = Field(gt=0)
    """``volume_m3 * density_kg_m3``."""
    centre_of_mass_m: Vec3
    """Centre of mass in the part's frame, m."""
    inertia_kg_m2: tuple[float, float, float, float, float, float]
    """Inertia about the centre of mass: ixx, iyy, izz, ixy, ixz, iyz (kg m^2)."""
    bbox_min_m: Vec3
    """Lower corner of the tight axis-aligned bounding box, m."""
    bbox_max_m: Vec3
    """Upper corner of the tight axis-aligned bounding box, m."""
    solids: int = Field(ge=1)
    """Solids in the part."""
    mesh_stl: bytes = Field(repr=False)
    """Binary STL in metres (read from the job's workspace, which is then removed)."""
    mesh_sha256: str
    """Hex SHA-256 of the STL (its content address)."""
    mesh_bytes: int = Field(ge=84)
    """Size of the STL file."""
    triangles: int = Field(ge=1)
    """Triangles in the STL."""


class CadResult(BaseModel):
    """The outcome of one CAD script: parts accepted, rejections, and what the sandbox saw."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parts: list[CadPart]
    """Accepted parts, in the script's order."""
    rejections: list[CadRejection]
    """Every problem found; a script is accepted only when this is empty."""
    exit_reason: ExitReason
    """How the sandbox job ended."""
    stdout: str
    """What the script printed (capped)."""
    stderr: str
    """What the script wrote to stderr (capped)."""
    workspace: Path
    """The job's workspace (script, meshes, result file); removed after the run unless
    the caller chose it."""
    wall_s: float = Field(ge=0)
    """Wall-clock seconds of the sandbox job."""

    @property
    def ok(self) -> bool:
        """True when every part was accepted and there was at least one."""
        return not self.rejections and bool(self.parts)

    def part(self, name: str) -> CadPart:
        """The accepted part named ``name`` (KeyError if absent)."""
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)

    def reasons(self) -> set[RejectReason]:
        """The distinct rejection reasons."""
        return {r.reason for r in self.rejections}
