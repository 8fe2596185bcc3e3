"""What a benchmark family is: seeded parameters, a frame, a scene and a reference layout.

The *frame* is everything of a spec that is not CAD geometry: world bounds, floor,
motors, build zone, forbid zones, goal, jitter and constraints. The *scene* (static
scenery and the payload) and the *reference* solution are CAD: a family lays them out
as ``Solid``s and ``cad_code`` writes the scripts; an LLM writer writes its own scripts
for the same frame.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from arena_core.spec import (
    STANDARD_MATERIALS,
    BenchmarkSpec,
    Constraints,
    DynamicObject,
    Goal,
    Jitter,
    Motor,
    Plane,
    Pose,
    ProcessRules,
    SolidGeometry,
    Solution,
    SolutionPart,
    StaticObject,
    Zone,
    world_aabb,
)
from generator.layout import Solid, cad_code

SCENE_ROLES = ("static", "dynamic")
"""Roles of scene parts: scenery fixed to the world, or a free body (the payload)."""
FIXED_ROLE = "fixed"
"""Role of a reference part fixed to the world."""
MOTOR_ROLE_PREFIX = "on_"
"""Role prefix of a reference part riding on a motor: ``on_<motor label>``."""
FLOOR = StaticObject(label="floor", geometry=Plane(), material="plywood")
"""The floor every family's scene stands on."""


class Frame(BaseModel):
    """The non-geometric part of a benchmark, fixed by the family and the seed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    """The puzzle in words."""
    payload: str
    """Label of the dynamic object the goal is about; the scene script must build it."""
    bounds: Zone
    """The world."""
    fixed_static: tuple[StaticObject, ...] = (FLOOR,)
    """Scenery that is not CAD: the floor plane."""
    motors: tuple[Motor, ...] = ()
    """Actuated parts of the benchmark."""
    build_zone: Zone
    """Where solution parts may go."""
    forbid_zones: tuple[Zone, ...] = ()
    """Regions nothing may touch."""
    goal: Goal
    """What must happen."""
    jitter: Jitter
    """Perturbation of the payload's start."""
    constraints: Constraints
    """Limits of solutions."""


class Layout(BaseModel):
    """What a family lays out for one seed: the frame, the scene and the reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frame: Frame
    scene: tuple[Solid, ...]
    """Static scenery and the payload."""
    reference: tuple[Solid, ...]
    """The reference solution's parts."""
    brief: str
    """What the scene and the reference look like, for a code writer."""


class Draft(Layout):
    """A family's layout for one seed, named by family, seed and difficulty."""

    family: str
    seed: int = Field(ge=0)
    difficulty: int = Field(ge=1, le=5)

    def scene_code(self) -> str:
        return cad_code(
            list(self.scene), purpose=f"{self.family} seed {self.seed}: the scene", kind="scene"
        )

    def reference_code(self) -> str:
        return cad_code(
            list(self.reference),
            purpose=f"{self.family} seed {self.seed}: the reference solution",
            kind="solution",
        )


class Family(ABC):
    """A randomized family of benchmarks."""

    name: ClassVar[str]
    """Registry name, also the spec's ``family``."""
    summary: ClassVar[str]
    """One paragraph: what the family asks and what a solution looks like."""

    def draw(self, seed: int, difficulty: int = 1, revision: int = 0) -> Draft:
        """The draft for ``seed`` (deterministic: string seeds hash the same everywhere).

        ``revision`` > 0 keeps the frame and the scene but varies the reference solution:
        what the procedural writer submits after the reviewer rejected the previous one.
        """
        rng = random.Random(f"{self.name}/{seed}/{difficulty}")
        laid_out = self.layout(rng, seed, difficulty, revision)
        return Draft(family=self.name, seed=seed, difficulty=difficulty, **dict(laid_out))

    @abstractmethod
    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        """Draw the parameters from ``rng`` and lay out frame, scene and reference."""


def _geometry(solid: Solid) -> tuple[Pose, Solid]:
    return Pose.at(*solid.at, euler=_radians(solid.rotate_deg)), solid


def _radians(deg: tuple[float, float, float]) -> tuple[float, float, float] | None:
    if not any(deg):
        return None
    import math

    return (math.radians(deg[0]), math.radians(deg[1]), math.radians(deg[2]))


def scene_object(
    role: str, label: str, geometry: SolidGeometry, pose: Pose, material: str
) -> StaticObject | DynamicObject:
    """A scene part as the spec holds it: scenery for role ``static``, else a free body."""
    kind = StaticObject if role == "static" else DynamicObject
    return kind(label=label, geometry=geometry, pose=pose, material=material)


def motor_of(role: str) -> str | None:
    """The motor a reference part with this role rides on (``on_<motor>``), or None."""
    return role[len(MOTOR_ROLE_PREFIX) :] if role.startswith(MOTOR_ROLE_PREFIX) else None


def spec_from_draft(draft: Draft) -> BenchmarkSpec:
    """The spec the draft's scene should map to (used to check families without CAD)."""
    objects = []
    for solid in draft.scene:
        pose, s = _geometry(solid)
        objects.append(scene_object(s.role, s.name, s.shape, pose, s.material))
    return frame_spec(draft, objects)


def frame_spec(draft: Draft, objects: Sequence[StaticObject | DynamicObject]) -> BenchmarkSpec:
    """A spec from the draft's frame with the given scenery and free bodies."""
    f = draft.frame
    statics = (*f.fixed_static, *(o for o in objects if isinstance(o, StaticObject)))
    dynamics = tuple(o for o in objects if isinstance(o, DynamicObject))
    return BenchmarkSpec(
        family=draft.family,
        seed=draft.seed,
        difficulty=draft.difficulty,
        description=f.description,
        bounds=f.bounds,
        static_objects=statics,
        dynamic_objects=dynamics,
        motors=f.motors,
        build_zone=f.build_zone,
        forbid_zones=f.forbid_zones,
        goal=f.goal,
        jitter=f.jitter,
        constraints=f.constraints,
    )


def solution_from_draft(draft: Draft) -> Solution:
    """The solution the draft's reference layout should map to."""
    parts = []
    for solid in draft.reference:
        pose, s = _geometry(solid)
        parts.append(
            SolutionPart(
                name=s.name,
                geometry=s.shape,
                pose=pose,
                material=s.material,
                motor=motor_of(s.role),
            )
        )
    return Solution(parts=tuple(parts))


@dataclass(frozen=True)
class Level:
    """What a difficulty level sets in every family (each family adds its own obstacles)."""

    margin: float
    """Cost and mass limits as a multiple of the reference solution's own cost and mass."""
    room: float
    """Share of the free space between the reference's bounding box and the family's
    roomiest build zone that the build zone keeps."""
    jitter: float
    """Scale of the family's start jitter (half range)."""
    copies: int
    """Jittered copies a solution must pass."""
    time: float
    """Scale of the family's time limit."""


LEVELS: dict[int, Level] = {
    1: Level(margin=3.0, room=1.0, jitter=1.0, copies=4, time=1.0),
    2: Level(margin=2.4, room=0.7, jitter=1.25, copies=5, time=0.95),
    3: Level(margin=1.9, room=0.45, jitter=1.5, copies=6, time=0.9),
    4: Level(margin=1.5, room=0.3, jitter=1.75, copies=7, time=0.85),
    5: Level(margin=1.2, room=0.15, jitter=2.0, copies=8, time=0.8),
}
"""Difficulty 1 (easy) to 5 (hard)."""

REFERENCE_PAD_M = 0.01
"""Free space always left around the reference's bounding box in the build zone."""


def level(difficulty: int) -> Level:
    """The settings of ``difficulty`` (1..5)."""
    return LEVELS[difficulty]


def reference_figures(reference: Sequence[Solid]) -> tuple[float, float]:
    """Total cost and mass (kg) of a layout, by the simrunner's formulas (volume x density)."""
    materials = {m.name: m for m in STANDARD_MATERIALS}
    cost = mass = 0.0
    for solid in reference:
        material = materials[solid.material]
        part_mass, part_cost = material.mass_and_cost(solid.shape.volume())
        mass += part_mass
        cost += part_cost
    return cost, mass


def limits(reference: Sequence[Solid], margin: float, process: ProcessRules) -> Constraints:
    """Constraints ``margin`` times the reference's cost and mass (rounded up, so it passes)."""
    cost, mass = reference_figures(reference)
    return Constraints(
        max_cost=math.ceil(cost * margin * 1000) / 1000,
        max_mass=math.ceil(mass * margin * 10000) / 10000,
        process=process,
    )


def bounding_box(solids: Sequence[Solid]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The world bounding box of ``solids``."""
    boxes = [world_aabb(s.shape, _geometry(s)[0]) for s in solids]
    low = tuple(min(b[0][i] for b in boxes) for i in range(3))
    high = tuple(max(b[1][i] for b in boxes) for i in range(3))
    return low, high


def build_zone(roomiest: Zone, reference: Sequence[Solid], room: float) -> Zone:
    """A build zone between the reference's padded bounding box and ``roomiest``.

    ``room`` = 1 gives ``roomiest``; smaller values pull every face towards the
    reference, never closer than ``REFERENCE_PAD_M`` (nor past ``roomiest``).
    """
    low, high = bounding_box(reference)
    inner_low = [max(lo - REFERENCE_PAD_M, z) for lo, z in zip(low, roomiest.low, strict=True)]
    inner_high = [min(hi + REFERENCE_PAD_M, z) for hi, z in zip(high, roomiest.high, strict=True)]
    return Zone(
        label=roomiest.label,
        low=tuple(r3(i + (o - i) * room) for i, o in zip(inner_low, roomiest.low, strict=True)),
        high=tuple(r3(i + (o - i) * room) for i, o in zip(inner_high, roomiest.high, strict=True)),
    )


def r3(x: float) -> float:
    """Millimetre rounding for drawn dimensions (readable code, stable hashes)."""
    return round(x, 3)
