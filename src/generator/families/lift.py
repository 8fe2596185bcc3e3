"""Motor lift: a vertical slide motor must raise a crate resting across two rails.

The motor's carriage sits in the slot between the rails, below the crate, and its stroke
ends short of the crate's bottom, so the bare benchmark fails; a riser on the carriage has
to reach up through the slot, pick the crate off the rails and hold it high enough,
without the crate toppling off it and without overloading the motor.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the cost and mass limits are 3x (level 1) down to 1.2x (level 5) the reference riser's
  own cost and mass, and the build zone closes in on it;
- the crate must be held higher: from 55 % of the stroke (level 1) to 87 % (level 5), so
  the riser's height has less and less slack;
- the crate's start jitter doubles (6 mm to 12 mm) and the copies grow from 4 to 8;
- the crate must be held 0.1 s longer a level (0.6 s to 1 s) and the time limit shrinks
  from 3.5 s to 2.8 s.
"""

from __future__ import annotations

import random

from arena_core.spec import (
    Box,
    HoldAbove,
    Jitter,
    Keyframe,
    Motor,
    Pose,
    ProcessRules,
    Zone,
)
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

CLEARANCE = 0.004
"""Gap kept under the crate by the reference riser (metres)."""
RAIL_WIDTH = 0.03
CARRIAGE_HALF = (0.012, 0.025, 0.01)


class Lift(Family):
    name = "lift"
    summary = (
        "A crate rests across two rails. Below it, in the slot between the rails, a "
        "vertical slide motor raises a carriage on a position schedule, but its stroke ends "
        "short of the crate. The crate must be held at or above a height. A solution is a "
        "riser on the carriage (role on_lift) that reaches up through the slot and lifts the "
        "crate off the rails."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        lv = level(difficulty)
        stroke = r3(rng.uniform(0.07, 0.1))
        short = r3(rng.uniform(0.03, 0.05))
        """How far the bare carriage's top stays below the crate at the end of its stroke."""
        half = r3(rng.uniform(0.035, 0.045))
        slot = r3(rng.uniform(0.05, 0.06))
        """Width of the slot between the rails."""
        carriage_z = r3(0.02 + CARRIAGE_HALF[2])
        carriage_top = r3(carriage_z + CARRIAGE_HALF[2])
        rail_h = r3(carriage_top + stroke + short)
        crate_z = r3(rail_h + half + 0.001)
        lift = r3((stroke - CLEARANCE) * (0.55 + 0.08 * (difficulty - 1)))
        height = r3(crate_z + lift)
        hold_s = r3(0.6 + 0.1 * (difficulty - 1))
        end_s = 1.5
        within_s = max(r3(3.5 * lv.time), r3(end_s + hold_s + 0.5))
        jitter = r3(0.006 * lv.jitter)

        motor = Motor(
            label="lift", joint="slide", axis=(0.0, 0.0, 1.0), range=(0.0, stroke),
            pose=Pose.at(0.0, 0.0, carriage_z),
            geometry=Box(half_size=CARRIAGE_HALF), material="aluminium",
            control="position", torque_limit=60.0, gain=2000.0, damping=80.0,
            schedule=(Keyframe(t=0.0, value=0.0), Keyframe(t=0.3, value=0.0),
                      Keyframe(t=end_s, value=stroke)),
        )  # fmt: skip
        rails = tuple(
            Solid(
                name=f"rail_{side}", role="static", material="plywood",
                shape=Box(half_size=(RAIL_WIDTH / 2, 0.08, r3(rail_h / 2))),
                at=(r3(sign * (slot / 2 + RAIL_WIDTH / 2)), 0.0, r3(rail_h / 2)),
            )
            for side, sign in (("west", -1), ("east", 1))
        )  # fmt: skip
        crate = Solid(
            name="crate", role="dynamic", material="plywood",
            shape=Box(half_size=(half, half, half)), at=(0.0, 0.0, crate_z),
        )  # fmt: skip
        riser_half_x = r3(slot / 2 - 0.006)
        riser_half_y = r3(0.02 + 0.005 * (5 - difficulty))
        riser_h = r3(rail_h - CLEARANCE - carriage_top - 0.0005)
        riser = Solid(
            name="riser", role="on_lift", material="pla",
            shape=Box(half_size=(riser_half_x, riser_half_y, r3(riser_h / 2))),
            at=(0.0, 0.0, r3(carriage_top + 0.0005 + riser_h / 2)),
        )  # fmt: skip
        roomiest = Zone(
            label="build",
            low=(r3(-slot / 2 + 0.001), -0.07, r3(carriage_top + 0.0002)),
            high=(r3(slot / 2 - 0.001), 0.07, r3(rail_h - 0.001)),
        )
        frame = Frame(
            description=(
                f"A crate rests across two rails {rail_h * 100:.1f} cm high. A slide motor "
                f"below it raises a carriage {stroke * 100:.1f} cm, which stops "
                f"{short * 100:.1f} cm short of the crate. Hold the crate's centre at or above "
                f"{height * 100:.1f} cm for {hold_s:g} s within {within_s:g} s."
            ),
            payload="crate",
            bounds=Zone(label="world", low=(-0.6, -0.6, -0.1), high=(0.6, 0.6, 0.6)),
            motors=(motor,),
            build_zone=build_zone(roomiest, [riser], lv.room),
            goal=HoldAbove(object="crate", height=height, hold_s=hold_s, within_s=within_s),
            jitter=Jitter(position=(jitter, jitter, 0.0), copies=lv.copies),
            constraints=limits([riser], lv.margin, ProcessRules.fdm()),
        )
        brief = (
            f"Scene: floor plane (given); the motor 'lift' with its carriage (given). Two "
            f"plywood rails {RAIL_WIDTH * 100:.0f} x 16 x {rail_h * 100:.1f} cm either side of "
            f"a {slot * 100:.1f} cm slot along y. A plywood crate, a cube of side {2 * half} m, "
            f"across the rails at (0, 0, {crate_z}) (label 'crate'). Reference: a PLA riser "
            f"{2 * riser_half_x * 100:.1f} x {2 * riser_half_y * 100:.1f} x "
            f"{riser_h * 100:.1f} cm standing on the carriage (role on_lift), its top "
            f"{CLEARANCE * 1000:.0f} mm under the crate."
        )
        return Layout(frame=frame, scene=(*rails, crate), reference=(riser,), brief=brief)
