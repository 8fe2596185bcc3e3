"""The benchmark spec: scene, goal, jitter, constraints; checked for contradictions."""

from __future__ import annotations

import math
import random
from typing import Annotated

from pydantic import Field, StringConstraints

from arena_core.spec.base import NonNegative, Pose, Positive, SpecModel, Vec3, quat_multiply
from arena_core.spec.checks import SpecIssue, find_contradictions
from arena_core.spec.constraints import Constraints
from arena_core.spec.goal import Goal
from arena_core.spec.materials import STANDARD_MATERIALS, Material
from arena_core.spec.objects import DynamicObject, Motor, StaticObject
from arena_core.spec.zones import Zone


class Jitter(SpecModel):
    """Random perturbation of the payload's start; a solution must pass every copy."""

    position: tuple[NonNegative, NonNegative, NonNegative] = (0.0, 0.0, 0.0)
    """Half range of the uniform offset along x, y, z (metres)."""
    yaw: NonNegative = 0.0
    """Half range of the uniform rotation about world z (radians)."""
    copies: int = Field(default=1, ge=1, le=64)
    """K: how many jittered copies are simulated."""


class BenchmarkSpec(SpecModel):
    """A physics puzzle: what is in the world, what must happen, and under which limits.

    Units are SI throughout: metres, kilograms, seconds, radians.
    """

    family: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_\-]{0,63}$")]
    """Name of the benchmark family that produced this spec."""
    seed: int = Field(ge=0)
    """Seed of the family generator; also seeds the jitter."""
    difficulty: int = Field(default=1, ge=1, le=5)
    """1 (easy) to 5 (hard)."""
    description: str = Field(default="", max_length=4000)
    """What the puzzle asks, in words (for agents and people)."""
    bounds: Zone
    """The world: a dynamic object leaving it fails the run."""
    materials: tuple[Material, ...] = STANDARD_MATERIALS
    """Materials objects and solution parts may use."""
    static_objects: tuple[StaticObject, ...] = Field(default=(), max_length=256)
    """Scenery fixed to the world."""
    dynamic_objects: tuple[DynamicObject, ...] = Field(default=(), max_length=64)
    """Free bodies, including the payload named by the goal."""
    motors: tuple[Motor, ...] = Field(default=(), max_length=32)
    """Actuated parts of the benchmark."""
    build_zone: Zone
    """Where solution parts may go."""
    forbid_zones: tuple[Zone, ...] = Field(default=(), max_length=32)
    """Regions no dynamic object or solution part may touch."""
    goal: Goal
    """What must happen."""
    jitter: Jitter = Jitter()
    """Perturbation of the payload's start pose."""
    constraints: Constraints = Constraints()
    """Cost, mass and manufacturing limits of solutions."""
    timestep: Positive = Field(default=0.002, le=0.05)
    """Simulation time step (seconds)."""
    gravity: Vec3 = (0.0, 0.0, -9.81)
    """Gravity (m/s^2)."""

    @property
    def duration_s(self) -> float:
        """How long each copy is simulated."""
        return self.goal.within_s

    @property
    def payload(self) -> DynamicObject | None:
        """The dynamic object the goal is about (``None`` if the goal names none)."""
        return next((o for o in self.dynamic_objects if o.label == self.goal.object), None)

    def material(self, name: str) -> Material | None:
        return next((m for m in self.materials if m.name == name), None)

    def motor(self, label: str) -> Motor | None:
        return next((m for m in self.motors if m.label == label), None)

    def labels(self) -> list[str]:
        """Every label of the spec, in declaration order (duplicates included)."""
        zones = [self.bounds, self.build_zone, *self.forbid_zones]
        if self.goal.kind == "reach_zone":
            zones.append(self.goal.zone)
        return [
            *(o.label for o in self.static_objects),
            *(o.label for o in self.dynamic_objects),
            *(m.label for m in self.motors),
            *(z.label for z in zones),
        ]

    def payload_starts(self) -> tuple[Pose, ...]:
        """The K jittered start poses of the payload (deterministic in ``seed``)."""
        payload = self.payload
        if payload is None:
            return ()
        starts = []
        for copy in range(self.jitter.copies):
            rng = random.Random(f"{self.family}/{self.seed}/{copy}")
            offset = [rng.uniform(-h, h) if h > 0 else 0.0 for h in self.jitter.position]
            yaw = rng.uniform(-self.jitter.yaw, self.jitter.yaw) if self.jitter.yaw > 0 else 0.0
            turn = (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))
            starts.append(
                Pose(
                    pos=tuple(p + o for p, o in zip(payload.pose.pos, offset, strict=True)),
                    quat=quat_multiply(turn, payload.pose.quat),
                )
            )
        return tuple(starts)

    def contradictions(self) -> list[SpecIssue]:
        """Everything that makes the spec impossible or meaningless (empty = consistent)."""
        return find_contradictions(self)
