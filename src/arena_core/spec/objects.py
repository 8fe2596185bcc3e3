"""Objects of a benchmark: static scenery, free dynamic bodies, motorized parts."""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import Field, model_validator

from arena_core.spec.base import Label, NonNegative, Pose, Positive, Real, SpecModel, Vec3
from arena_core.spec.geometry import Geometry, SolidGeometry


class StaticObject(SpecModel):
    """Scenery fixed to the world (floor, walls, ramps of the puzzle)."""

    label: Label
    """Unique name in the spec."""
    geometry: Geometry
    """Shape (primitives, a plane or a mesh)."""
    pose: Pose = Pose()
    """Where it sits in the world."""
    material: Label
    """Name of a material of the spec."""


class DynamicObject(SpecModel):
    """A free body (six degrees of freedom) moved only by physics, e.g. the payload."""

    label: Label
    """Unique name in the spec."""
    geometry: SolidGeometry
    """Shape (a solid: no planes)."""
    pose: Pose
    """Start pose (before jitter)."""
    material: Label
    """Name of a material of the spec; its density gives the mass."""


class Keyframe(SpecModel):
    """One point of a control schedule."""

    t: NonNegative = 0.0
    """Time in seconds from the start of the simulation."""
    value: Real
    """Control value: torque (N m or N), target position (rad or m) or velocity."""


class Motor(SpecModel):
    """An actuated joint between the world and a moving part, with a control schedule.

    The joint sits at the origin of ``pose``; ``axis`` is given in that pose's frame.
    Solution parts may be attached to the moving part (see ``SolutionPart.motor``).
    """

    label: Label
    """Unique name in the spec."""
    joint: Literal["hinge", "slide"]
    """Revolute (``hinge``) or prismatic (``slide``) joint."""
    axis: Vec3 = (0.0, 0.0, 1.0)
    """Joint axis in the motor frame (normalized by MuJoCo)."""
    range: tuple[Real, Real] | None = None
    """Joint limits (rad for hinge, m for slide); ``None`` = unlimited."""
    pose: Pose
    """Where the joint is, in the world."""
    geometry: SolidGeometry
    """Shape of the moving part (rotor, carriage, paddle)."""
    material: Label
    """Material of the moving part."""
    control: Literal["torque", "position", "velocity"] = "torque"
    """What the schedule commands."""
    gear: Positive = 1.0
    """Transmission ratio from actuator to joint."""
    torque_limit: Positive
    """Largest joint torque (N m) or force (N) the motor can deliver."""
    gain: Positive = 10.0
    """Proportional gain of position/velocity control (unused for torque control)."""
    damping: NonNegative = 0.0
    """Joint damping (N m s/rad or N s/m)."""
    schedule: tuple[Keyframe, ...] = Field(default=(), max_length=256)
    """Control values over time, linearly interpolated, held after the last keyframe."""

    @model_validator(mode="after")
    def _consistent(self) -> Motor:
        if self.range is not None and self.range[0] >= self.range[1]:
            raise ValueError(f"motor {self.label}: range must be (low, high) with low < high")
        times = [k.t for k in self.schedule]
        if times != sorted(times):
            raise ValueError(f"motor {self.label}: schedule times must be non-decreasing")
        if all(abs(c) < 1e-12 for c in self.axis):
            raise ValueError(f"motor {self.label}: axis must be non-zero")
        return self

    def control_at(self, t: float) -> float:
        """The scheduled control value at time ``t`` (0 with no schedule)."""
        if not self.schedule:
            return 0.0
        frames = self.schedule
        if t <= frames[0].t:
            return frames[0].value
        for a, b in itertools.pairwise(frames):
            if t <= b.t:
                span = b.t - a.t
                return b.value if span <= 0 else a.value + (b.value - a.value) * (t - a.t) / span
        return frames[-1].value
