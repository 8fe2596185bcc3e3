"""A solution: the parts an engineer adds to a benchmark's build zone."""

from __future__ import annotations

from pydantic import Field, model_validator

from arena_core.spec.base import Label, NonNegative, Pose, SpecModel, Vec3
from arena_core.spec.geometry import SolidGeometry


class MassProperties(SpecModel):
    """Mass properties as reported by the CAD harness (a claim; the simrunner recomputes)."""

    volume: NonNegative
    """Solid volume in m^3."""
    mass: NonNegative
    """Mass in kg."""
    center_of_mass: Vec3 = (0.0, 0.0, 0.0)
    """Centre of mass in the part frame (metres)."""


class SolutionPart(SpecModel):
    """One manufactured part: shape, where it goes, what it is made of."""

    name: Label
    """Unique within the solution."""
    geometry: SolidGeometry
    """Shape: a primitive or a mesh from the CAD harness."""
    pose: Pose = Pose()
    """Where the part's frame sits in the world at the start."""
    material: Label
    """Name of a material of the benchmark."""
    motor: Label | None = None
    """Attach rigidly to this benchmark motor's moving part; ``None`` = fixed to the world."""
    claimed: MassProperties | None = None
    """What the designer believes the part weighs (compared with the recomputed values)."""


class Solution(SpecModel):
    """What the simrunner adds to the benchmark scene."""

    parts: tuple[SolutionPart, ...] = Field(default=(), max_length=64)
    """The parts; each must lie inside the benchmark's build zone."""

    @model_validator(mode="after")
    def _unique_names(self) -> Solution:
        names = [p.name for p in self.parts]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate part names: {', '.join(duplicates)}")
        return self
