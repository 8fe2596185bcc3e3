"""Parts where the design puts them, and the benchmark's zones around them.

zones = benchmark_zones(spec)                # build (blue), goal (green), forbidden (red)
shape = placed(mesh, Pose.at(0.1, 0, 0.2))   # a part's triangles in the scene's frame
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from arena_core.spec import BenchmarkSpec, Pose
from arena_core.spec.zones import Zone
from engineer.preview.render import RGBA, PreviewZone, Shape

BUILD_RGBA: RGBA = (0.2, 0.4, 1.0, 0.15)
GOAL_RGBA: RGBA = (0.1, 0.75, 0.2, 0.25)
FORBID_RGBA: RGBA = (0.9, 0.1, 0.1, 0.2)


def benchmark_zones(spec: BenchmarkSpec) -> tuple[PreviewZone, ...]:
    """The build zone, the goal zone (a goal that has one) and every forbidden zone."""
    zones = [PreviewZone("build zone", spec.build_zone.low, spec.build_zone.high, BUILD_RGBA)]
    goal = getattr(spec.goal, "zone", None)
    if isinstance(goal, Zone):
        zones.append(PreviewZone("goal", goal.low, goal.high, GOAL_RGBA))
    zones += [PreviewZone(f"forbidden {z.label}", z.low, z.high, FORBID_RGBA)
              for z in spec.forbid_zones]  # fmt: skip
    return tuple(zones)


@dataclass(frozen=True)
class Placed:
    """A shape moved by a pose."""

    corners: NDArray[np.float64]
    """``(f, 3, 3)`` corners in the scene's frame."""
    normals: NDArray[np.float64]
    """``(f, 3)`` outward unit normals in the scene's frame."""


def placed(shape: Shape, pose: Pose) -> Placed:
    """``shape`` (in its part's frame) where ``pose`` puts it."""
    rotation = np.asarray(pose.rotation(), dtype=np.float64)
    corners = np.asarray(shape.corners, dtype=np.float64) @ rotation.T + np.asarray(pose.pos)
    return Placed(corners=corners, normals=np.asarray(shape.normals) @ rotation.T)
