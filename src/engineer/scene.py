"""What every template knows about the benchmark: how parts can be made for it
(``Fabrication``) and the geometry to design against (``Scene``), and the check every
decoded design passes (``_checked``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from arena_core.spec import BenchmarkSpec, Material, ReachZone, Vec3, world_aabb
from engineer.design import CLEARANCE_M, Design, Genome, Plate


@dataclass(frozen=True)
class Fabrication:
    """How parts can be made for one benchmark: material, thickness, size, count."""

    material: Material
    thickness: float
    max_extent: Vec3 | None
    max_parts: int | None

    def fits(self, size: Vec3) -> bool:
        if self.max_extent is None:
            return True
        have = sorted(size, reverse=True)
        limit = sorted(self.max_extent, reverse=True)
        return all(h <= lim + 1e-9 for h, lim in zip(have, limit, strict=True))

    def longest(self, width: float) -> float:
        """Longest plate of this ``width`` the process can make."""
        if self.max_extent is None:
            return math.inf
        limit = sorted(self.max_extent, reverse=True)
        return limit[0] if width <= limit[1] + 1e-9 else limit[1]


def admissible_materials(spec: BenchmarkSpec) -> list[Material]:
    """Materials of the spec the process accepts (all of them without a process)."""
    rules = spec.constraints.process
    allowed = [
        m for m in spec.materials if not rules or not rules.materials or m.name in rules.materials
    ]
    return allowed or list(spec.materials)


def fabrication(spec: BenchmarkSpec) -> Fabrication:
    """The cheapest admissible way to make plates for ``spec``."""
    limits = spec.constraints

    def burden(m: Material) -> float:
        # Fraction of the tighter limit one litre of the material uses up.
        mass_m3, cost_m3 = m.mass_and_cost(1.0)
        cost = cost_m3 / limits.max_cost if limits.max_cost else 0.0
        mass = mass_m3 / limits.max_mass if limits.max_mass else 0.0
        return max(cost, mass, m.density * 1e-9)

    material = min(admissible_materials(spec), key=lambda m: (burden(m), m.name))
    rules = limits.process
    if rules is not None and rules.sheet_thickness is not None:
        thickness = rules.sheet_thickness
    else:
        thickness = max(rules.min_thickness or 0.0 if rules else 0.0, 0.004)
    return Fabrication(
        material=material,
        thickness=thickness,
        max_extent=rules.max_extent if rules else None,
        max_parts=rules.max_parts if rules else None,
    )


@dataclass(frozen=True)
class Scene:
    """The geometry a template designs against."""

    spec: BenchmarkSpec
    fab: Fabrication
    start: Vec3
    """Payload start (before jitter)."""
    radius: float
    """Payload half extent (largest), plus the jitter's reach."""
    half: float
    """Payload half extent (largest), without the jitter."""
    target: Vec3
    """Where the payload should end up: goal zone centre, or above the hold height."""
    heading: float
    """Yaw from the payload's start towards the target (radians)."""

    @classmethod
    def of(cls, spec: BenchmarkSpec) -> Scene:
        payload = spec.payload
        if payload is None:
            raise ValueError("the goal names no dynamic object")
        start = payload.pose.pos
        half = (
            payload.geometry.half_extents()
            if hasattr(payload.geometry, "half_extents")
            else (0.03,) * 3
        )
        jitter = max(spec.jitter.position[0], spec.jitter.position[1])
        goal = spec.goal
        if isinstance(goal, ReachZone):
            target = goal.zone.center
        else:
            target = (start[0], start[1], goal.height)
        dx, dy = target[0] - start[0], target[1] - start[1]
        heading = math.atan2(dy, dx) if math.hypot(dx, dy) > 1e-6 else 0.0
        return cls(spec, fabrication(spec), start, max(half) + jitter, max(half), target, heading)

    def inside(self, plate: Plate) -> bool:
        zone = self.spec.build_zone
        low, high = plate.bounds()
        margin = 1e-4
        return (
            all(
                zl + margin <= lo and hi <= zh - margin
                for lo, hi, zl, zh in zip(low, high, zone.low, zone.high, strict=True)
            )
            and low[2] >= CLEARANCE_M
        )

    def neighbour_tops(self) -> list[float]:
        """Top heights of box scenery touching the build zone's sides (surfaces to meet)."""
        zone = self.spec.build_zone
        tops = []
        for obj in self.spec.static_objects:
            geometry = obj.geometry
            if geometry.kind != "box":
                continue
            low, high = world_aabb(geometry, obj.pose)
            touches = all(
                lo <= zh + 0.01 and zl - 0.01 <= hi
                for lo, hi, zl, zh in zip(
                    low[:2], high[:2], zone.low[:2], zone.high[:2], strict=True
                )
            )
            if touches and zone.low[2] < high[2] <= zone.high[2]:
                tops.append(round(high[2], 6))
        return sorted(set(tops))

    def clear_of_payload(self, plate: Plate) -> bool:
        """The plate keeps below and away from the payload's start."""
        low, high = plate.bounds()
        s, r = self.start, self.radius + CLEARANCE_M
        overlaps_xy = (
            low[0] < s[0] + r and s[0] - r < high[0] and low[1] < s[1] + r and s[1] - r < high[1]
        )
        return not overlaps_xy or high[2] < s[2] - r


def _lerp(lo: float, hi: float, t: float) -> float:
    return lo + (hi - lo) * min(max(t, 0.0), 1.0)


def _checked(
    scene: Scene,
    template: str,
    g: Genome,
    plates: Sequence[Plate],
    *,
    check_clearance: bool = True,
) -> Design | None:
    fab = scene.fab
    for plate in plates:
        if not fab.fits(plate.size) or not scene.inside(plate):
            return None
        if check_clearance and not scene.clear_of_payload(plate):
            return None
    return Design(template, tuple(g), fab.material, tuple(plates))
