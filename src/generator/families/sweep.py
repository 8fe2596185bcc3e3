"""Rotary sweep: a motor turns a hub about a vertical axis; an arm on it sweeps a puck round.

The hub alone touches nothing, so the bare benchmark fails; a radial arm riding on the
hub has to catch the puck and carry it a quarter turn round into the goal, where the
motor stops, without flinging it past.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the cost and mass limits are 3x (level 1) down to 1.2x (level 5) the reference arm's own
  cost and mass, and the build zone closes in on the arm (at most halfway);
- the goal narrows from 7 cm to 5.8 cm across the turn up to level 3, then to 4.8 cm
  and 3.8 cm, and the puck's start jitter doubles
  (6 mm to 12 mm) with the copies from 4 to 8;
- the turn gets faster (it ends at 1.8 s at level 1, 1.4 s at level 5) and the time
  limit shrinks from 3.2 s to 2.6 s;
- from level 3 the table beyond the goal is forbidden: a flung puck fails.
"""

from __future__ import annotations

import math
import random

from arena_core.spec import (
    Box,
    Cylinder,
    Jitter,
    Keyframe,
    Motor,
    Pose,
    ProcessRules,
    ReachZone,
    Zone,
)
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

CLEARANCE = 0.003
"""Gap between the table top and everything the motor turns (metres)."""
HUB_RADIUS = 0.02
ARM_BEHIND_DEG = 45.0
"""How far behind the puck the reference arm starts at level 1 (degrees; 1.5 more a
level: the thinner arm of a higher level lets the puck slip further out)."""
REVISION_DEG = (0.0, 3.0, -3.0, 6.0, -6.0)
"""Changes of the arm's start the writer tries after a rejected reference."""
TURN_DEG = 130.0
"""How far the motor turns the hub."""


GOAL_HALF = (0.035, 0.032, 0.029, 0.024, 0.019)
"""Half the goal's width across the turn, level 1 to 5 (metres): at the last levels the
arm's start angle must be right within a few degrees."""


MIN_ROOM = 0.5
"""The build zone closes in on the arm at most halfway: a zone hugging the reference
would tell the arm's start angle, which the narrow goal asks a solver to find."""


class Sweep(Family):
    name = "sweep"
    summary = (
        "A motor turns a small hub about a vertical axis over a table, a fixed angle on a "
        "position schedule. A puck lies on the table out of the hub's reach. It must end in "
        "the goal a quarter turn round. A solution is an arm riding on the hub (role "
        "on_turntable) that starts behind the puck, catches it and carries it round."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        lv = level(difficulty)
        table_top = r3(rng.uniform(0.06, 0.1))
        radius = r3(rng.uniform(0.14, 0.19))
        half = r3(rng.uniform(0.018, 0.024))
        cx, cy = r3(rng.uniform(-0.05, 0.05)), r3(rng.uniform(-0.05, 0.05))
        end_s = r3(1.8 - 0.1 * (difficulty - 1))
        within_s = max(r3(3.2 * (0.75 + 0.25 * lv.time)), r3(end_s + 1.0))
        hub_half = 0.012
        hub_z = r3(table_top + CLEARANCE + hub_half)
        motor = Motor(
            label="turntable", joint="hinge", axis=(0.0, 0.0, 1.0),
            range=(-0.1, r3(math.radians(TURN_DEG) + 0.1)),
            pose=Pose.at(cx, cy, hub_z),
            geometry=Cylinder(radius=HUB_RADIUS, half_length=hub_half), material="aluminium",
            control="position", torque_limit=4.0, gain=8.0, damping=0.3,
            schedule=(Keyframe(t=0.0, value=0.0), Keyframe(t=0.3, value=0.0),
                      Keyframe(t=end_s, value=r3(math.radians(TURN_DEG)))),
        )  # fmt: skip
        table = Solid(
            name="table", role="static", material="plywood",
            shape=Box(half_size=(0.35, 0.35, r3(table_top / 2))),
            at=(cx, cy, r3(table_top / 2)),
        )  # fmt: skip
        puck = Solid(
            name="puck", role="dynamic", material="plywood",
            shape=Box(half_size=(half, half, half)),
            at=(r3(cx + radius), cy, r3(table_top + half + 0.001)),
        )  # fmt: skip
        arm_half_height = r3(0.008 - 0.001 * (difficulty - 1))
        arm_half_width = 0.005
        jitter = r3(0.006 * lv.jitter)
        # The build zone stays clear of the puck's side of the hub (y > the puck's edge).
        zone_top = r3(cy - half - jitter - 0.006)
        outer = r3(radius + half + 0.03)

        def arm(behind_deg: float) -> Solid:
            a = math.radians(-behind_deg)
            inner = (cy - zone_top + arm_half_width + 0.002) / math.sin(math.radians(behind_deg))
            mid = (outer + inner) / 2
            arm_len = outer - inner
            return Solid(
                name="arm", role="on_turntable", material="pla",
                shape=Box(half_size=(r3(arm_len / 2), arm_half_width, arm_half_height)),
                at=(r3(cx + mid * math.cos(a)), r3(cy + mid * math.sin(a)),
                    r3(table_top + CLEARANCE + arm_half_height)),
                rotate_deg=(0.0, 0.0, -behind_deg),
            )  # fmt: skip

        base = ARM_BEHIND_DEG + 1.5 * (difficulty - 1)
        behind = base + REVISION_DEG[revision % len(REVISION_DEG)]
        reference = arm(behind)
        every = [arm(base + b) for b in REVISION_DEG]
        # The goal is a station a quarter turn round (straight along +y from the hub), long
        # enough radially for a puck that slid out along the arm on the way.
        g = GOAL_HALF[difficulty - 1]
        gx, gy = cx, r3(cy + radius + 0.025)
        goal = Zone(
            label="goal",
            low=(r3(cx - g), r3(cy + radius - 0.01), table_top),
            high=(r3(cx + g), r3(cy + radius + 0.06), r3(table_top + 0.08)),
        )
        roomiest = Zone(
            label="build",
            low=(r3(cx - radius - 0.06), r3(cy - radius - 0.06), r3(table_top + 0.001)),
            high=(r3(cx + radius + 0.06), zone_top, r3(table_top + 0.05)),
        )
        forbid: tuple[Zone, ...] = ()
        if difficulty >= 3:
            forbid = (
                Zone(label="overshoot", low=(r3(cx - 0.35), r3(cy + 0.06), table_top),
                     high=(r3(cx - g - half - 0.015), r3(cy + 0.35), r3(table_top + 0.1))),
            )  # fmt: skip
        frame = Frame(
            description=(
                f"A motor turns a hub at ({cx:.2f}, {cy:.2f}) {TURN_DEG:.0f} degrees "
                f"anticlockwise over a table; a puck lies {radius * 100:.0f} cm out along +x. "
                f"Carry the puck round into the goal around ({gx:.2f}, {gy:.2f})"
                + (", not past it." if difficulty >= 3 else ".")
            ),
            payload="puck",
            bounds=Zone(label="world", low=(-0.7, -0.7, -0.1), high=(0.7, 0.7, 0.5)),
            motors=(motor,),
            build_zone=build_zone(roomiest, every, max(lv.room, MIN_ROOM)),
            forbid_zones=forbid,
            goal=ReachZone(object="puck", zone=goal, within_s=within_s, hold_s=0.4),
            jitter=Jitter(position=(jitter, jitter, 0.0), copies=lv.copies),
            constraints=limits([reference], lv.margin, ProcessRules.fdm()),
        )
        brief = (
            f"Scene: floor plane (given); the motor 'turntable' with its hub (given). A plywood "
            f"table 70 x 70 x {table_top * 100:.0f} cm centred under the hub. A plywood puck, a "
            f"cube of side {2 * half} m, on the table at ({cx + radius:.3f}, {cy}) (label "
            f"'puck'). Reference: a PLA arm 1 cm wide and {2 * arm_half_height * 100:.1f} cm "
            f"high reaching {outer} m from the hub's axis, riding on the hub "
            f"(role on_turntable), pointing {behind} degrees clockwise of +x, "
            f"{CLEARANCE * 1000:.0f} mm above the table."
        )
        return Layout(frame=frame, scene=(table, puck), reference=(reference,), brief=brief)
