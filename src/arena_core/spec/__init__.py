"""The typed benchmark spec: what a puzzle contains, what must happen, and under which limits.

Build one in code::

    spec = BenchmarkSpec(
        family="ball_to_goal", seed=7,
        bounds=Zone(label="world", low=(-1, -1, -0.1), high=(1, 1, 1)),
        static_objects=(StaticObject(label="floor", geometry=Plane(), material="plywood"),),
        dynamic_objects=(DynamicObject(label="ball", geometry=Sphere(radius=0.03),
                                       pose=Pose.at(0, 0, 0.5), material="rubber"),),
        build_zone=Zone(label="build", low=(-0.2, -0.2, 0), high=(0.4, 0.2, 0.4)),
        goal=ReachZone(object="ball", zone=Zone(label="goal", low=(0.6, -0.2, 0),
                       high=(0.9, 0.2, 0.2)), within_s=3),
    )
    assert not spec.contradictions()

``arena_core.spec.examples`` has complete specs and solutions.
"""

from arena_core.spec.base import Label, Pose, Quat, SpecModel, Vec3, quat_from_euler
from arena_core.spec.benchmark import BenchmarkSpec, Jitter
from arena_core.spec.checks import Contradiction, SpecIssue, find_contradictions
from arena_core.spec.constraints import Constraints, Process, ProcessRules
from arena_core.spec.geometry import (
    Box,
    Capsule,
    Cylinder,
    Geometry,
    Mesh,
    Plane,
    Primitive,
    SolidGeometry,
    Sphere,
    world_aabb,
)
from arena_core.spec.goal import Goal, HoldAbove, ReachZone
from arena_core.spec.materials import STANDARD_MATERIALS, Material
from arena_core.spec.objects import DynamicObject, Keyframe, Motor, StaticObject
from arena_core.spec.solution import MassProperties, Solution, SolutionPart
from arena_core.spec.zones import Zone

__all__ = [
    "STANDARD_MATERIALS",
    "BenchmarkSpec",
    "Box",
    "Capsule",
    "Constraints",
    "Contradiction",
    "Cylinder",
    "DynamicObject",
    "Geometry",
    "Goal",
    "HoldAbove",
    "Jitter",
    "Keyframe",
    "Label",
    "MassProperties",
    "Material",
    "Mesh",
    "Motor",
    "Plane",
    "Pose",
    "Primitive",
    "Process",
    "ProcessRules",
    "Quat",
    "ReachZone",
    "SolidGeometry",
    "Solution",
    "SolutionPart",
    "SpecIssue",
    "SpecModel",
    "Sphere",
    "StaticObject",
    "Vec3",
    "Zone",
    "find_contradictions",
    "quat_from_euler",
    "world_aabb",
]
