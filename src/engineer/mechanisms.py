"""Templates for mechanisms: gathering gutters, retaining stops, arms on turning or lifting
motors. Same contract as ``engineer.templates``: a genome in [0, 1] decodes to plates that
lie in the build zone and obey the process, or to ``None``."""

from __future__ import annotations

import math

from arena_core.spec import Motor
from engineer.design import CLEARANCE_M, Design, Genome, Plate, _rotate
from engineer.scene import Scene, _checked, _lerp

RAIL_HEIGHT_M = (0.03, 0.08)
"""Range of a gutter rail's height above its deck."""


def gutter(scene: Scene, g: Genome) -> Design | None:
    """A deck under the payload's fall, descending towards the target and tilted sideways
    so the payload rolls to a rail on its low edge and leaves along it.

    Genes: pitch, roll, landing height, half width, rail side, shift across, length.
    """
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    if fab.max_parts is not None and fab.max_parts < 2:
        return None
    pitch = _lerp(0.25, 0.65, g[0])
    roll = _lerp(0.12, 0.45, g[1]) * (1 if g[4] < 0.5 else -1)
    half = _lerp(scene.half + 0.02, 0.2, g[3])
    length = min(_lerp(0.3, 0.6, g[6]), fab.longest(2 * half))
    top = min(zone.high[2], s[2] - scene.radius - CLEARANCE_M) - CLEARANCE_M
    landing = (s[0], s[1], _lerp(zone.low[2] + 0.05, top, g[2]))
    along = length / 2 - 0.06
    shift = _lerp(-half, half, g[5])
    rail_side = -1 if roll > 0 else 1
    rail_h = _lerp(*RAIL_HEIGHT_M, g[3])
    t, yaw = fab.thickness, scene.heading
    deck = Plate(
        "deck", _rotate((along, shift, -t / 2), yaw, pitch, roll, landing), yaw, pitch,
        (length, 2 * half, t), roll=roll,
    )  # fmt: skip
    rail = Plate(
        "rail",
        _rotate((along, shift + rail_side * (half + t / 2), rail_h / 2 - t), yaw, pitch, roll,
                landing),
        yaw, pitch, (length, t, rail_h), roll=roll,
    )  # fmt: skip
    return _checked(scene, "gutter", g, [deck, rail])


def stop(scene: Scene, g: Genome) -> Design | None:
    """A vertical plate across the payload's path (genes: distance along the path, bottom
    height in the build zone, height, width)."""
    fab, zone, s = scene.fab, scene.spec.build_zone, scene.start
    yaw = scene.heading
    dx, dy = math.cos(yaw), math.sin(yaw)
    reach = math.hypot(scene.target[0] - s[0], scene.target[1] - s[1]) + 0.1
    distance = _lerp(scene.radius + 0.02, reach, g[0])
    height = _lerp(0.02, 0.12, g[2])
    bottom = _lerp(max(zone.low[2], 0.0) + 1e-3, zone.high[2] - height - 1e-3, g[1])
    across = abs(dx) * (zone.high[1] - zone.low[1]) + abs(dy) * (zone.high[0] - zone.low[0])
    width = min(_lerp(2 * scene.radius + 0.02, across - 2e-3, g[3]), fab.longest(height))
    center = (s[0] + dx * distance, s[1] + dy * distance, bottom + height / 2)
    plate = Plate("stop", center, yaw + math.pi / 2, 0.0, (width, fab.thickness, height))
    return _checked(scene, "stop", g, [plate], check_clearance=False)


def _motor(scene: Scene, joint: str) -> Motor | None:
    return next((m for m in scene.spec.motors if m.joint == joint), None)


def _direction(motor: Motor) -> float:
    """+1 when the schedule drives the joint towards larger values, -1 otherwise."""
    if not motor.schedule:
        return 1.0
    return 1.0 if motor.schedule[-1].value >= motor.schedule[0].value else -1.0


def sweeper(scene: Scene, g: Genome) -> Design | None:
    """A radial arm on a turning (hinge) motor that starts behind the payload and sweeps it
    round (genes: start angle behind the payload, inner radius, reach past the payload,
    height)."""
    fab, zone = scene.fab, scene.spec.build_zone
    motor = _motor(scene, "hinge")
    if motor is None:
        return None
    axis = motor.pose.pos
    bearing = math.atan2(scene.start[1] - axis[1], scene.start[0] - axis[0])
    radius = math.hypot(scene.start[0] - axis[0], scene.start[1] - axis[1])
    angle = bearing - _direction(motor) * math.radians(_lerp(10.0, 90.0, g[0]))
    inner = _lerp(0.0, radius * 0.8, g[1])
    outer = radius + _lerp(0.0, 0.08, g[2])
    if outer - inner < 0.02:
        return None
    height = _lerp(fab.thickness, min(0.03, zone.high[2] - zone.low[2] - 2e-3), g[3])
    mid = (inner + outer) / 2
    center = (
        axis[0] + mid * math.cos(angle),
        axis[1] + mid * math.sin(angle),
        zone.low[2] + 1e-3 + height / 2,
    )
    plate = Plate(
        "arm", center, angle, 0.0, (outer - inner, max(fab.thickness, 0.008), height),
        motor=motor.label,
    )  # fmt: skip
    return _checked(scene, "sweeper", g, [plate], check_clearance=False)


def riser(scene: Scene, g: Genome) -> Design | None:
    """A block standing on a lifting (slide) motor's carriage, under the payload (genes:
    height, length, width, offset along x)."""
    fab, zone = scene.fab, scene.spec.build_zone
    motor = _motor(scene, "slide")
    if motor is None:
        return None
    room = [h - lo - 2e-3 for lo, h in zip(zone.low, zone.high, strict=True)]
    height = _lerp(0.3, 1.0, g[0]) * room[2]
    length = max(_lerp(0.3, 1.0, g[1]) * room[0], fab.thickness)
    width = max(_lerp(0.3, 1.0, g[2]) * room[1], fab.thickness)
    x = _lerp(zone.low[0] + 1e-3 + length / 2, zone.high[0] - 1e-3 - length / 2, g[3])
    center = (x, zone.center[1], zone.low[2] + 1e-3 + height / 2)
    plate = Plate("riser", center, 0.0, 0.0, (length, width, height), motor=motor.label)
    return _checked(scene, "riser", g, [plate], check_clearance=False)
