"""Bridge a gap: a ball rolls down an incline onto a ledge and must cross a gap to the goal.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the gap widens 3 cm a level;
- the reference plank narrows from 16 cm to 1.5 cm wider than the ball (level 5), and the
  cost and mass limits are 3x (level 1) down to 1.2x (level 5) its own cost and mass;
- the build zone's floor rises towards the plank (across the gap it keeps the ledges' full
  width, so it does not tell the plank's width);
- the sideways jitter of the ball's start grows from 1 cm to 2 cm (along the incline it
  stays 4 mm, so the ball never starts inside the incline) and the copies from 4 to 8;
- from level 2 the gap below the ledges' tops is a clearance envelope that nothing may
  touch, reaching up to 8 mm (level 2), 5 mm (level 3), 3 mm (level 4) and 2.2 mm
  (level 5) under a plank of the reference's sheet flush with the ledges: a deck set a
  little low, or pitched so that one end dips, fails on every copy, so the deck's height
  and pitch must both be found (to within about a millimetre at the ends, at level 5);
- the time limit shrinks from 4 s to 3.2 s.
"""

from __future__ import annotations

import math
import random

from arena_core.spec import (
    Box,
    Jitter,
    ProcessRules,
    ReachZone,
    Sphere,
    Zone,
)
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

SHEET = 0.006
"""Plywood sheet the reference plank is cut from (metres)."""
CLEARANCE_M = {1: None, 2: 0.008, 3: 0.005, 4: 0.003, 5: 0.0022}
"""By level: the depth a bridge may take up below the ledges' tops beyond a plank of the
reference's sheet (metres; ``None``: no limit). Everything in the gap lower than that is
a clearance envelope that must stay free: a deck too low, too thick or pitched so an end
dips into it fails."""


class BridgeGap(Family):
    name = "bridge_gap"
    summary = (
        "A ball starts on an incline on the left ledge, rolls onto the ledge and must cross "
        "a gap to reach the goal on the right ledge. The pit below the gap is forbidden. "
        "A solution spans the gap (parts are fixed to the world) within the build zone."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        height = r3(rng.uniform(0.12, 0.22))
        gap = r3(rng.uniform(0.12, 0.2) + 0.03 * (difficulty - 1))
        radius = r3(rng.uniform(0.02, 0.03))
        left_len = r3(rng.uniform(0.3, 0.4))
        right_len = r3(rng.uniform(0.4, 0.5))
        slope_deg = r3(rng.uniform(12, 20))
        half_gap = gap / 2
        width = 0.2
        lv = level(difficulty)

        left = Solid(
            name="left_ledge", role="static", material="plywood",
            shape=Box(half_size=(left_len / 2, width / 2, height / 2)),
            at=(r3(-half_gap - left_len / 2), 0.0, r3(height / 2)),
        )  # fmt: skip
        right = Solid(
            name="right_ledge", role="static", material="plywood",
            shape=Box(half_size=(right_len / 2, width / 2, height / 2)),
            at=(r3(half_gap + right_len / 2), 0.0, r3(height / 2)),
        )  # fmt: skip
        # An incline on the far end of the left ledge gives the ball its speed.
        incline_len = 0.16
        incline_x = r3(-half_gap - left_len + incline_len / 2 + 0.01)
        slope = math.radians(slope_deg)
        incline_z = r3(height + math.sin(slope) * incline_len / 2 + 0.004)
        incline = Solid(
            name="incline", role="static", material="plywood",
            shape=Box(half_size=(incline_len / 2, width / 2, 0.004)),
            at=(incline_x, 0.0, incline_z), rotate_deg=(0.0, slope_deg, 0.0),
        )  # fmt: skip
        # The ball rests a few millimetres above the incline's upper part: the top
        # surface point at ``along`` plus the radius (and a gap) along the surface normal.
        along = -incline_len / 4
        normal = (math.sin(slope), math.cos(slope))
        lift = 0.004 + radius + 0.003
        ball = Solid(
            name="ball", role="dynamic", material="rubber", shape=Sphere(radius=radius),
            at=(r3(incline_x + math.cos(slope) * along + normal[0] * lift), 0.0,
                r3(incline_z - math.sin(slope) * along + normal[1] * lift)),
        )  # fmt: skip
        wall = Solid(
            name="end_wall", role="static", material="plywood",
            shape=Box(half_size=(0.01, width / 2, 0.04)),
            at=(r3(half_gap + right_len - 0.01), 0.0, r3(height + 0.04)),
        )  # fmt: skip

        far = half_gap + right_len
        goal = Zone(
            label="goal",
            low=(r3(far - 0.2), -width / 2, height),
            high=(r3(far - 0.02), width / 2, r3(height + 0.12)),
        )
        # Wide enough for the ball (its jitter too): the cost limit leaves little more.
        plank_half_width = r3(max(radius + 0.0075, 0.08 - 0.0125 * (difficulty - 1)))
        plank_len = r3(gap - 0.004)
        plank = Solid(
            name="plank", role="fixed", material="plywood",
            shape=Box(half_size=(plank_len / 2, plank_half_width, SHEET / 2)),
            at=(0.0, 0.0, r3(height - SHEET / 2)),
        )  # fmt: skip
        roomiest = Zone(
            label="build",
            low=(r3(-half_gap), -width / 2, 0.06),
            high=(r3(half_gap), width / 2, r3(height + 0.02)),
        )
        # Across the gap the zone keeps the ledges' full width at every level: sides hugging
        # the plank would tell its width, which the cost limit leaves little slack on.
        hug = build_zone(roomiest, [plank], lv.room)
        build = Zone(
            label="build",
            low=(hug.low[0], roomiest.low[1], hug.low[2]),
            high=(hug.high[0], roomiest.high[1], hug.high[2]),
        )
        pit = Zone(label="pit", low=(r3(-half_gap), -0.5, -0.1), high=(r3(half_gap), 0.5, 0.05))
        forbid = [pit]
        clearance = CLEARANCE_M[difficulty]
        if clearance is not None:
            forbid.append(
                Zone(
                    label="clearance",
                    low=(r3(-half_gap), -0.5, 0.05),
                    high=(r3(half_gap), 0.5, round(height - SHEET - clearance, 4)),
                )
            )
        frame = Frame(
            description=(
                f"A ball rolls down an incline on a {height * 100:.0f} cm high ledge. Get it "
                f"across the {gap * 100:.0f} cm gap into the goal on the far ledge without "
                "touching the pit below the gap"
                + (
                    ""
                    if clearance is None
                    else f" or the clearance envelope reaching up to {clearance * 1000:.1f} mm "
                    f"below a {SHEET * 1000:.0f} mm plank flush with the ledges"
                )
                + "."
            ),
            payload="ball",
            bounds=Zone(label="world", low=(-1.0, -0.5, -0.1), high=(1.0, 0.5, 0.8)),
            build_zone=build,
            forbid_zones=tuple(forbid),
            goal=ReachZone(object="ball", zone=goal, within_s=r3(4.0 * lv.time), hold_s=0.3),
            jitter=Jitter(position=(0.004, r3(0.01 * lv.jitter), 0.0), copies=lv.copies),
            constraints=limits([plank], lv.margin, ProcessRules.laser(SHEET)),
        )
        brief = (
            f"Scene: floor plane (given). Left ledge: plywood box {left_len} x {width} x "
            f"{height} m, its right face at x={-half_gap:.3f}. Right ledge: plywood box "
            f"{right_len} x {width} x {height} m, its left face at x={half_gap:.3f}. "
            f"An 8 mm plywood incline, {incline_len} m long, pitched {slope_deg} degrees down "
            f"towards +x on the far end of the left ledge. A rubber ball of radius {radius} m "
            "resting just above the incline (label 'ball'). A 2 x 20 x 8 cm end wall at the "
            f"far end of the right ledge. Reference: a {SHEET * 1000:.0f} mm plywood plank "
            f"{2 * plank_half_width * 100:.0f} cm wide spanning the gap flush with the ledge tops."
        )
        return Layout(
            frame=frame, scene=(left, right, incline, wall, ball), reference=(plank,), brief=brief
        )
