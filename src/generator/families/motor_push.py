"""Motor-driven push: a slide motor's carriage must push a crate into a goal on a table.

The carriage's stroke stops short of the crate, so the bare benchmark fails; a part
riding on the carriage has to bridge the distance and shove the crate the rest of the
way, without overshooting the goal.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the reference arm thins from 2 cm to 8 mm (and widens with the jitter, 4.4 cm to
  6.4 cm), and the cost and mass limits are 3x (level 1) down to 1.2x (level 5) its own
  cost and mass;
- the build zone closes in from the full space between carriage and crate towards the
  arm;
- the goal shortens from 2.8 cm to 2.5 cm along the push up to level 3, then to 2 cm
  (level 4) and 1.5 cm (level 5): the arm's length must be right within millimetres;
- the crate's start jitter doubles (4 mm to 8 mm along the push, 1 cm to 2 cm across)
  and the copies grow from 4 to 8;
- the push gets faster (the stroke ends at 2 s at level 1, 1.8 s at level 5: the crate
  slides further) and the time limit shrinks from 3.5 s to 3 s;
- at every level the table beyond the goal is forbidden: an overshooting crate fails.
"""

from __future__ import annotations

import random

from arena_core.spec import (
    Box,
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
"""Gap between the table top and everything the motor carries (metres)."""


GOAL_BEHIND = (0.012, 0.0115, 0.011, 0.0085, 0.006)
GOAL_AHEAD = (0.016, 0.0152, 0.0144, 0.0115, 0.009)
"""How far the goal reaches behind and ahead of the crate's planned final centre, level 1
to 5 (metres): the last two levels need the arm's length within a few millimetres."""


class MotorPush(Family):
    name = "motor_push"
    summary = (
        "A slide motor moves a carriage along +x over a table with a position schedule; its "
        "stroke ends short of a crate. The crate must be pushed into the goal zone further "
        "along the table. A solution attaches a part to the carriage (role on_pusher) that "
        "reaches the crate and pushes it the right distance."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        table_top = r3(rng.uniform(0.08, 0.14))
        stroke = r3(rng.uniform(0.12, 0.2))
        push = r3(rng.uniform(0.05, 0.09))
        # The bare carriage stops ``reach - push`` short of the crate.
        reach = r3(push + rng.uniform(0.03, 0.05))
        crate_half = r3(rng.uniform(0.02, 0.03))
        carriage_half = (0.02, 0.04, 0.02)
        carriage_x = -0.3
        carriage_front = carriage_x + carriage_half[0]
        # At full stroke the extension's tip is ``push`` beyond the crate's starting face.
        crate_back = r3(carriage_front + stroke + reach - push)
        crate_x = r3(crate_back + crate_half)
        final_x = r3(carriage_front + stroke + reach + crate_half)
        lv = level(difficulty)

        table = Solid(
            name="table", role="static", material="plywood",
            shape=Box(half_size=(0.45, 0.15, table_top / 2)), at=(0.0, 0.0, r3(table_top / 2)),
        )  # fmt: skip
        crate = Solid(
            name="crate", role="dynamic", material="plywood",
            shape=Box(half_size=(crate_half, crate_half, crate_half)),
            at=(crate_x, 0.0, r3(table_top + crate_half + 0.001)),
        )  # fmt: skip
        carriage_z = r3(table_top + CLEARANCE + carriage_half[2])
        stroke_end_s = r3(2.0 - 0.05 * (difficulty - 1))
        # Time to push, hold 0.5 s in the goal, and some to spare.
        within_s = max(r3(3.5 * lv.time), r3(stroke_end_s + 1.2))
        motor = Motor(
            label="pusher", joint="slide", axis=(1.0, 0.0, 0.0), range=(0.0, stroke),
            pose=Pose.at(carriage_x, 0.0, carriage_z),
            geometry=Box(half_size=carriage_half), material="aluminium",
            control="position", torque_limit=40.0, gain=300.0, damping=25.0,
            schedule=(Keyframe(t=0.0, value=0.0), Keyframe(t=0.3, value=0.0),
                      Keyframe(t=stroke_end_s, value=stroke)),
        )  # fmt: skip
        arm_half_height = r3(0.01 - 0.0015 * (difficulty - 1))
        jitter_y = r3(0.01 * lv.jitter)
        # Wide enough that every jittered copy of the crate meets the arm squarely.
        arm_half_width = r3(jitter_y + 0.012)
        arm_len = r3(reach - 0.004)
        arm = Solid(
            name="arm", role="on_pusher", material="pla",
            shape=Box(half_size=(arm_len / 2, arm_half_width, arm_half_height)),
            at=(r3(carriage_front + 0.002 + arm_len / 2), 0.0,
                r3(table_top + CLEARANCE + arm_half_height)),
        )  # fmt: skip
        goal = Zone(
            label="goal",
            low=(r3(final_x - GOAL_BEHIND[difficulty - 1]), -0.15, table_top),
            high=(r3(final_x + GOAL_AHEAD[difficulty - 1]), 0.15, r3(table_top + 0.1)),
        )
        roomiest = Zone(
            label="build",
            low=(r3(carriage_front), -0.06, r3(table_top + 0.001)),
            high=(r3(crate_back - 0.012), 0.06, r3(table_top + 0.06)),
        )
        build = build_zone(roomiest, [arm], lv.room)
        # The table beyond the goal is forbidden: an arm of the wrong length flings the
        # crate past it (random arms often do, so the benchmark is not solved by chance).
        overshoot = r3(max(goal.high[0], final_x + crate_half + 0.008) + 0.002)
        forbid = (Zone(label="overshoot", low=(overshoot, -0.2, table_top), high=(0.5, 0.2, 0.3)),)
        frame = Frame(
            description=(
                f"A slide motor pushes a carriage {stroke * 100:.0f} cm along +x over a table; "
                f"a crate waits beyond its reach. Push the crate into the goal zone "
                f"around x={final_x:.2f} m" + ", not beyond it."
            ),
            payload="crate",
            bounds=Zone(label="world", low=(-0.8, -0.5, -0.1), high=(0.8, 0.5, 0.6)),
            motors=(motor,),
            build_zone=build,
            forbid_zones=forbid,
            goal=ReachZone(object="crate", zone=goal, within_s=within_s, hold_s=0.5),
            jitter=Jitter(position=(r3(0.004 * lv.jitter), jitter_y, 0.0), copies=lv.copies),
            constraints=limits([arm], lv.margin, ProcessRules.fdm()),
        )
        brief = (
            f"Scene: floor plane (given); the motor 'pusher' with its carriage (given). A "
            f"plywood table 0.9 x 0.3 x {table_top} m centred on the origin. A plywood crate, "
            f"a cube of side {2 * crate_half} m, on the table at x={crate_x} (label 'crate'). "
            f"Reference: a PLA arm {arm_len} m long, {2 * arm_half_width * 100:.0f} cm wide and "
            f"{2 * arm_half_height * 100:.1f} cm high riding on the carriage (role on_pusher), "
            f"{CLEARANCE * 1000:.0f} mm above the table, from the carriage's front face."
        )
        return Layout(frame=frame, scene=(table, crate), reference=(arm,), brief=brief)
