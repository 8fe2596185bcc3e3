"""Part templates: parametric designs written out as build123d CAD scripts.

A template turns a genome (numbers in [0, 1]) into plates placed in the world for one
benchmark: every decoded design lies inside the build zone, obeys the manufacturing
process (sheet thickness, part size, materials) and clears the payload's start. The
plates and their script are ``engineer.design``; the benchmark as a template sees it
is ``engineer.scene``.

Templates here: ``chute`` (a ramp, optionally with side walls that funnel the payload),
``bridge`` (a level deck), ``support`` (a shelf held up by a post), ``wall`` (a
vertical stop), ``lever`` (a tilted arm the payload lands on and rolls off); the moving
and gathering mechanisms are in ``engineer.mechanisms``, and ``engineer.catalogue``
names them all and picks the ones worth searching for a benchmark.
"""

from __future__ import annotations

import math

from engineer.design import CLEARANCE_M, Design, Genome, Plate
from engineer.scene import Scene, _checked, _lerp


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
    """A shelf under the payload's start, held by a post (genes: size, post, gap, and the
    shelf's offset along x and y, up to the payload's jittered reach: a shelf can stand off
    centre, clear of what lies under one side of the load)."""
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
    x = s[0] + _lerp(-scene.radius, scene.radius, g[3])
    y = s[1] + _lerp(-scene.radius, scene.radius, g[4])
    shelf_top = min(s[2] - half_z - gap, zone.high[2] - 1e-3)
    plates = [Plate("shelf", (x, y, shelf_top - fab.thickness / 2), 0.0, 0.0,
                    (length, side, fab.thickness))]  # fmt: skip
    post_h = shelf_top - fab.thickness - max(zone.low[2], CLEARANCE_M) - CLEARANCE_M
    if g[1] > 0.5 and post_h > 0.01 and (fab.max_parts is None or fab.max_parts >= 2):
        post_h = min(post_h, fab.longest(fab.thickness * 4))
        plates.append(
            Plate(
                "post",
                (x, y, shelf_top - fab.thickness - post_h / 2 - 1e-4),
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
