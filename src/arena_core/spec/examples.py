"""Small, complete specs to learn from and to test with."""

from __future__ import annotations

from arena_core.spec.base import Pose
from arena_core.spec.benchmark import BenchmarkSpec, Jitter
from arena_core.spec.constraints import Constraints, ProcessRules
from arena_core.spec.geometry import Box, Plane, Sphere
from arena_core.spec.goal import ReachZone
from arena_core.spec.objects import DynamicObject, StaticObject
from arena_core.spec.solution import Solution, SolutionPart
from arena_core.spec.zones import Zone


def ball_to_goal(seed: int = 0, *, copies: int = 3, within_s: float = 3.0) -> BenchmarkSpec:
    """A ball dropped above the build zone must end up in a goal zone 0.6 m away.

    Without help the ball lands on the floor and stays there; a ramp in the build zone
    sends it rolling into the goal.
    """
    return BenchmarkSpec(
        family="ball_to_goal",
        seed=seed,
        difficulty=1,
        description="Get the ball into the green zone on the floor, 0.6 m to the right.",
        bounds=Zone(label="world", low=(-1.0, -0.5, -0.1), high=(1.5, 0.5, 1.0)),
        static_objects=(
            StaticObject(label="floor", geometry=Plane(), material="plywood"),
            StaticObject(
                label="end_wall",
                geometry=Box(half_size=(0.02, 0.3, 0.1)),
                pose=Pose.at(1.1, 0.0, 0.1),
                material="plywood",
            ),
        ),
        dynamic_objects=(
            DynamicObject(
                label="ball",
                geometry=Sphere(radius=0.03),
                pose=Pose.at(0.0, 0.0, 0.5),
                material="rubber",
            ),
        ),
        build_zone=Zone(label="build", low=(-0.15, -0.2, 0.0), high=(0.45, 0.2, 0.4)),
        forbid_zones=(Zone(label="pit", low=(-0.8, -0.5, -0.1), high=(-0.4, 0.5, 0.05)),),
        goal=ReachZone(
            object="ball",
            zone=Zone(label="goal", low=(0.6, -0.2, 0.0), high=(0.9, 0.2, 0.2)),
            within_s=within_s,
        ),
        jitter=Jitter(position=(0.01, 0.01, 0.0), copies=copies),
        constraints=Constraints(max_cost=5.0, max_mass=1.0, process=ProcessRules.laser(0.006)),
    )


def ramp_solution(*, pitch: float = 0.5, material: str = "plywood") -> Solution:
    """A 6 mm plywood ramp under the ball, sloping down towards the goal."""
    return Solution(
        parts=(
            SolutionPart(
                name="ramp",
                geometry=Box(half_size=(0.25, 0.1, 0.003)),
                pose=Pose.at(0.15, 0.0, 0.2, euler=(0.0, pitch, 0.0)),
                material=material,
            ),
        )
    )
