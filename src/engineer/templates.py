"""Part templates: parametric designs written out as build123d CAD scripts.

A template turns a genome (numbers in [0, 1]) into plates placed in the world for one
benchmark: every decoded design lies inside the build zone, obeys the manufacturing
process (sheet thickness, part size, materials) and clears the payload's start. The
same genome always gives the same script, so a design is named by its code's hash.

Templates here: ``chute`` (a ramp, optionally with side walls that funnel the payload),
``bridge`` (a level deck), ``support`` (a shelf held up by a post), ``wall`` (a
vertical stop), ``lever`` (a tilted arm the payload lands on and rolls off); the moving
and gathering mechanisms are in ``engineer.mechanisms``, and ``engineer.catalogue``
names them all and picks the ones worth searching for a benchmark.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from arena_core.spec import BenchmarkSpec, Material, ReachZone, Vec3, world_aabb

Genome = tuple[float, ...]
"""Design parameters, each in [0, 1]."""

CLEARANCE_M = 0.004
"""Gap kept between a part and the payload's start, the floor and the build zone's faces."""
_HEADER = "from build123d import Box\nfrom arena_cad import Part\n\n\ndef build():\n"


@dataclass(frozen=True)
class Plate:
    """A rectangular plate: centre, yaw and pitch (radians), length x width x thickness."""

    name: str
    center: Vec3
    yaw: float
    pitch: float
    size: Vec3
    roll: float = 0.0
    motor: str | None = None
    """The benchmark motor the plate rides on (``None``: fixed to the world)."""

    def corners(self) -> list[Vec3]:
        hx, hy, hz = (s / 2 for s in self.size)
        return [
            _rotate((sx * hx, sy * hy, sz * hz), self.yaw, self.pitch, self.roll, self.center)
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]

    def bounds(self) -> tuple[Vec3, Vec3]:
        points = self.corners()
        low = (min(p[0] for p in points), min(p[1] for p in points), min(p[2] for p in points))
        high = (max(p[0] for p in points), max(p[1] for p in points), max(p[2] for p in points))
        return low, high


def _rotate(p: Vec3, yaw: float, pitch: float, roll: float, offset: Vec3) -> Vec3:
    # Roll about x, then pitch about y, then yaw about z: R = Rz(yaw) Ry(pitch) Rx(roll).
    x, y, z = p
    y, z = y * math.cos(roll) - z * math.sin(roll), y * math.sin(roll) + z * math.cos(roll)
    x, z = x * math.cos(pitch) + z * math.sin(pitch), -x * math.sin(pitch) + z * math.cos(pitch)
    x, y = x * math.cos(yaw) - y * math.sin(yaw), x * math.sin(yaw) + y * math.cos(yaw)
    return (x + offset[0], y + offset[1], z + offset[2])


@dataclass(frozen=True)
class Design:
    """A decoded genome: plates of one material, and the script that builds them."""

    template: str
    genome: Genome
    material: Material
    plates: tuple[Plate, ...]

    def code(self) -> str:
        """The build123d script: each plate built flat in its own frame (see ``placements``)."""
        lines = [_HEADER.rstrip("\n")]
        for plate in self.plates:
            lx, ly, lz = (round(v, 6) for v in plate.size)
            lines.append(f"    {plate.name} = Box({lx}, {ly}, {lz})")
        parts = ", ".join(
            f"Part({p.name!r}, {p.name}, role={self.material.name!r}, "
            f"density={self.material.density!r})"
            for p in self.plates
        )
        lines.append(f"    return [{parts}]")
        return "\n".join(lines) + "\n"

    def placements(self) -> list[dict[str, object]]:
        """Where each part's frame goes in the world: position and unit quaternion (w, x, y, z)."""
        return [
            {
                "part": p.name,
                "pos": [round(c, 6) for c in p.center],
                "quat": [round(q, 9) for q in _quat(p.yaw, p.pitch, p.roll)],
                **({"motor": p.motor} if p.motor else {}),
            }
            for p in self.plates
        ]

    @property
    def design_id(self) -> str:
        return design_id(self.code(), self.placements())

    def volume(self) -> float:
        return sum(p.size[0] * p.size[1] * p.size[2] for p in self.plates)

    def mass(self) -> float:
        return self.material.mass_of(self.volume())

    def cost(self) -> float:
        return self.material.price_of(self.mass())


def design_id(code: str, placements: Sequence[object] = ()) -> str:
    """The id of a CAD script with its placements: 12 hex digits of their SHA-256."""
    key = code.encode() + orjson.dumps(list(placements), option=orjson.OPT_SORT_KEYS)
    return "d" + hashlib.sha256(key).hexdigest()[:12]


def _quat(yaw: float, pitch: float, roll: float) -> tuple[float, float, float, float]:
    # Rz(yaw) Ry(pitch) Rx(roll), the rotation ``Plate.corners`` applies.
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    return (
        cy * cp * cr + sy * sp * sr,
        cy * cp * sr - sy * sp * cr,
        cy * sp * cr + sy * cp * sr,
        sy * cp * cr - cy * sp * sr,
    )


# -- what every template needs to know about the benchmark ------------------------------


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


# -- templates ----------------------------------------------------------------------------


def chute(scene: Scene, g: Genome) -> Design | None:
    """A ramp under the payload's fall, descending towards the target; side walls if g[5] > 0.5.

    Genes: pitch, length, offset behind the landing point, height at the landing point,
    width, walls.
    """
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    pitch = _lerp(0.12, 0.75, g[0])
    width = min(_lerp(2 * scene.half + 0.02, 0.25, g[4]), zone.high[1] - zone.low[1] - 0.01)
    length = min(_lerp(0.12, 0.7, g[1]), fab.longest(width))
    behind = _lerp(0.01, 0.12, g[2])
    top = min(zone.high[2], s[2] - scene.radius - CLEARANCE_M) - CLEARANCE_M
    landing_z = _lerp(zone.low[2] + 0.03, top, g[3])
    yaw = scene.heading
    dx, dy = math.cos(yaw), math.sin(yaw)
    # Centreline top surface: high end `behind` before the landing point, then down.
    mid_along = length / 2 - behind
    mid_top = landing_z - mid_along * math.tan(pitch)
    nz = math.cos(pitch)
    t = fab.thickness
    center = (
        s[0] + dx * mid_along * math.cos(pitch) - dx * (t / 2) * math.sin(pitch),
        s[1] + dy * mid_along * math.cos(pitch) - dy * (t / 2) * math.sin(pitch),
        mid_top - (t / 2) * nz,
    )
    plates = [Plate("ramp", center, yaw, pitch, (length, width, t))]
    if g[5] > 0.5 and (fab.max_parts is None or fab.max_parts >= 3):
        wall_h = _lerp(0.02, 0.06, g[5] * 2 - 1)
        for side, name in ((1, "wall_left"), (-1, "wall_right")):
            off = side * (width / 2 + t / 2)
            lift = wall_h / 2 - t / 2
            plates.append(
                Plate(
                    name,
                    (
                        center[0] - dy * off + dx * lift * math.sin(pitch),
                        center[1] + dx * off + dy * lift * math.sin(pitch),
                        center[2] + lift * nz,
                    ),
                    yaw,
                    pitch,
                    (length, t, wall_h),
                )
            )
    return _checked(scene, "chute", g, plates)


def deck(scene: Scene, g: Genome) -> Design | None:
    """A deck across the build zone along the heading, flush with the scenery around it.

    Genes: which neighbouring surface to meet, fine height offset, width, slope.
    """
    fab, zone = scene.fab, scene.spec.build_zone
    yaw = round(scene.heading / (math.pi / 2)) * (math.pi / 2)  # decks run along an axis
    along = 0 if abs(math.cos(yaw)) > 0.5 else 1
    span = zone.high[along] - zone.low[along] - 2e-3
    across = 1 - along
    width = min(
        _lerp(2 * scene.half + 0.01, zone.high[across] - zone.low[across] - 2e-3, g[2]),
        fab.longest(span) if fab.max_extent else 1.0,
    )
    length = min(span, fab.longest(width))
    tops = scene.neighbour_tops() or [_lerp(zone.low[2] + fab.thickness, zone.high[2], g[0])]
    top = tops[min(int(g[0] * len(tops)), len(tops) - 1)] + _lerp(-0.004, 0.001, g[1])
    pitch = _lerp(-0.08, 0.08, g[3]) * (1 if math.cos(yaw) + math.sin(yaw) > 0 else -1)
    center = list(zone.center)
    center[2] = top - fab.thickness / 2
    return _checked(
        scene,
        "deck",
        g,
        [
            Plate(
                "deck",
                (center[0], center[1], center[2]),
                yaw,
                pitch,
                (length, width, fab.thickness),
            )
        ],
    )


def pusher(scene: Scene, g: Genome) -> Design | None:
    """An arm riding on the benchmark's motor that reaches the payload (genes: length,
    height, width, thickness)."""
    fab, zone, spec = scene.fab, scene.spec.build_zone, scene.spec
    if not spec.motors:
        return None
    motor = spec.motors[0]
    length = _lerp(0.3, 1.0, g[0]) * (zone.high[0] - zone.low[0] - 2e-3)
    width = _lerp(0.3, 1.0, g[2]) * (zone.high[1] - zone.low[1] - 2e-3)
    thick = max(
        fab.thickness, _lerp(fab.thickness, min(0.03, zone.high[2] - zone.low[2] - 2e-3), g[3])
    )
    if (
        fab.max_extent is not None
        and spec.constraints.process
        and spec.constraints.process.sheet_thickness
    ):
        thick = fab.thickness
    z = _lerp(zone.low[2] + thick / 2 + 1e-3, zone.high[2] - thick / 2 - 1e-3, g[1])
    center = (zone.low[0] + 1e-3 + length / 2, zone.center[1], z)
    plate = Plate("arm", center, 0.0, 0.0, (length, width, thick), motor=motor.label)
    return _checked(scene, "pusher", g, [plate], check_clearance=False)


def bridge(scene: Scene, g: Genome) -> Design | None:
    """A level deck under the payload (genes: height, length, width, shift towards target)."""
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    width = min(_lerp(2.2 * scene.radius + 0.02, 0.3, g[2]), zone.high[1] - zone.low[1] - 0.01)
    length = min(_lerp(2.2 * scene.radius + 0.02, 0.6, g[1]), fab.longest(width))
    top = min(zone.high[2], s[2] - scene.radius - CLEARANCE_M) - CLEARANCE_M
    z = _lerp(zone.low[2] + fab.thickness + CLEARANCE_M, top, g[0]) - fab.thickness / 2
    shift = _lerp(-length / 2 + scene.radius, length / 2 - scene.radius, g[3])
    yaw = scene.heading
    center = (s[0] + math.cos(yaw) * shift, s[1] + math.sin(yaw) * shift, z)
    return _checked(
        scene, "bridge", g, [Plate("deck", center, yaw, 0.0, (length, width, fab.thickness))]
    )


def support(scene: Scene, g: Genome) -> Design | None:
    """A shelf right under the payload's start, held by a post (genes: size, post, gap)."""
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    side = _lerp(2 * scene.radius + 0.004, 0.25, g[0])
    side = min(side, zone.high[0] - zone.low[0] - 0.01, zone.high[1] - zone.low[1] - 0.01)
    length = min(side, fab.longest(side))
    gap = _lerp(0.001, 0.01, g[2])
    payload = scene.spec.payload
    half_z = (
        payload.geometry.half_extents()[2]
        if payload and hasattr(payload.geometry, "half_extents")
        else 0.03
    )
    shelf_top = min(s[2] - half_z - gap, zone.high[2] - 1e-3)
    center = (s[0], s[1], shelf_top - fab.thickness / 2)
    plates = [Plate("shelf", center, 0.0, 0.0, (length, side, fab.thickness))]
    post_h = shelf_top - fab.thickness - max(zone.low[2], CLEARANCE_M) - CLEARANCE_M
    if g[1] > 0.5 and post_h > 0.01 and (fab.max_parts is None or fab.max_parts >= 2):
        post_h = min(post_h, fab.longest(fab.thickness * 4))
        plates.append(
            Plate(
                "post",
                (s[0], s[1], shelf_top - fab.thickness - post_h / 2 - 1e-4),
                0.0,
                0.0,
                (min(0.04, length), fab.thickness, post_h),
            )
        )
    return _checked(scene, "support", g, plates, check_clearance=False)


def wall(scene: Scene, g: Genome) -> Design | None:
    """A vertical stop across the heading, beyond the landing point (genes: distance, height)."""
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    distance = _lerp(scene.radius + 0.02, 0.4, g[0])
    height = _lerp(0.03, 0.2, g[1])
    width = min(0.3, fab.longest(height))
    yaw = scene.heading
    center = (
        s[0] + math.cos(yaw) * distance,
        s[1] + math.sin(yaw) * distance,
        max(zone.low[2], 0.0) + CLEARANCE_M + height / 2,
    )
    return _checked(
        scene,
        "wall",
        g,
        [Plate("stop", center, yaw + math.pi / 2, 0.0, (width, fab.thickness, height))],
    )


def lever(scene: Scene, g: Genome) -> Design | None:
    """A short steep arm the payload lands on and rolls off (genes: pitch, length, height)."""
    return chute(scene, (0.7 + 0.3 * g[0], 0.1 + 0.3 * g[1], 0.2, g[2], 0.3, 0.0))


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
