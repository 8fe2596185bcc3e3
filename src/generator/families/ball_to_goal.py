"""Deliver a ball past obstacles: a dropped ball must end up in a goal beyond a kerb.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the reference ramp narrows from 20 cm to 12 cm, and the cost and mass limits are 3x
  (level 1) down to 1.2x (level 5) its own cost and mass;
- the build zone shrinks from the roomy box over the drop point towards the reference
  ramp's bounding box (every pitch the writer may try still fits);
- the kerb grows 2 mm a level, the goal shortens 1.5 cm a level;
- the drop point's jitter grows from 1 cm to 2 cm and the copies from 4 to 8;
- the time limit shrinks from 3 s to 2.4 s;
- from level 3 a puddle on the floor in front of the kerb is forbidden, so the ball has
  to fly over it.
"""

from __future__ import annotations

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
"""Plywood sheet the reference ramp is cut from (metres)."""
RAMP_PITCH_DEG = 26.0
"""Pitch of the first reference ramp: steep enough to clear the kerb, flat enough that the
ball flies over the puddle (levels 3 to 5) at every seed."""
REVISION_PITCH_DEG = (0.0, -3.0, 3.0, -6.0, 6.0)
"""Pitch changes the writer tries after a rejected reference."""
PUDDLE_FROM_X = 0.42
"""Where the forbidden puddle in front of the kerb begins (levels 3 to 5)."""


class BallToGoal(Family):
    name = "ball_to_goal"
    summary = (
        "A ball is dropped above the build zone. Without help it lands on the floor and "
        "stays there. It must reach the goal zone on the floor beyond a kerb (an obstacle "
        "across the path) and a pit that is forbidden. A solution is a laser-cut ramp, fixed "
        "to the world, that sends the ball over the pit and the kerb into the goal."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        drop = r3(rng.uniform(0.45, 0.55))
        y0 = r3(rng.uniform(-0.08, 0.08))
        radius = r3(rng.uniform(0.025, 0.032))
        kerb_x = r3(rng.uniform(0.48, 0.52))
        kerb_h = r3(rng.uniform(0.012, 0.018) + 0.002 * (difficulty - 1))
        goal_x = r3(kerb_x + 0.05)
        goal_len = r3(rng.uniform(0.25, 0.3) - 0.015 * (difficulty - 1))
        lv = level(difficulty)

        ball = Solid(
            name="ball", role="dynamic", material="rubber", shape=Sphere(radius=radius),
            at=(0.0, y0, drop),
        )  # fmt: skip
        kerb = Solid(
            name="kerb", role="static", material="plywood",
            shape=Box(half_size=(0.01, 0.3, kerb_h / 2)), at=(kerb_x, 0.0, r3(kerb_h / 2)),
        )  # fmt: skip
        end_x = r3(goal_x + goal_len + 0.02)
        end_wall = Solid(
            name="end_wall", role="static", material="plywood",
            shape=Box(half_size=(0.02, 0.3, 0.1)), at=(end_x, 0.0, 0.1),
        )  # fmt: skip
        goal = Zone(label="goal", low=(goal_x, -0.2, 0.0), high=(r3(goal_x + goal_len), 0.2, 0.2))

        ramp_half_width = r3(0.1 - 0.01 * (difficulty - 1))

        def ramp(pitch: float) -> Solid:
            return Solid(
                name="ramp", role="fixed", material="plywood",
                shape=Box(half_size=(0.25, ramp_half_width, SHEET / 2)), at=(0.15, y0, 0.2),
                rotate_deg=(0.0, pitch, 0.0),
            )  # fmt: skip

        pitch = RAMP_PITCH_DEG + REVISION_PITCH_DEG[revision % len(REVISION_PITCH_DEG)]
        reference = ramp(pitch)
        every_pitch = [ramp(RAMP_PITCH_DEG + p) for p in REVISION_PITCH_DEG]
        forbid = [Zone(label="pit", low=(-0.8, -0.5, -0.1), high=(-0.4, 0.5, 0.05))]
        if difficulty >= 3:
            forbid.append(
                Zone(
                    label="puddle",
                    low=(PUDDLE_FROM_X, -0.3, -0.1),
                    high=(r3(kerb_x - 0.012), 0.3, 0.004),
                )
            )
        frame = Frame(
            description=(
                f"A ball is dropped from {drop * 100:.0f} cm. Get it over the kerb at "
                f"x={kerb_x:.2f} m into the goal zone beyond, without touching the pit "
                "behind the drop point"
                + (" or the puddle in front of the kerb." if difficulty >= 3 else ".")
            ),
            payload="ball",
            bounds=Zone(label="world", low=(-1.0, -0.5, -0.1), high=(1.5, 0.5, 1.0)),
            build_zone=build_zone(
                Zone(label="build", low=(-0.15, -0.2, 0.0), high=(0.45, 0.2, 0.4)),
                every_pitch,
                lv.room,
            ),
            forbid_zones=tuple(forbid),
            goal=ReachZone(object="ball", zone=goal, within_s=r3(3.0 * lv.time), hold_s=0.2),
            jitter=Jitter(
                position=(r3(0.01 * lv.jitter), r3(0.01 * lv.jitter), 0.0), copies=lv.copies
            ),
            constraints=limits([reference], lv.margin, ProcessRules.laser(SHEET)),
        )
        brief = (
            f"Scene: floor plane (given). A rubber ball of radius {radius} m at (0, {y0}, "
            f"{drop}) (label 'ball'). A plywood kerb 2 x 60 x {kerb_h * 100:.1f} cm across the "
            f"floor at x={kerb_x}. A plywood end wall 4 x 60 x 20 cm at x={end_x}. Reference: "
            f"a {SHEET * 1000:.0f} mm plywood ramp 50 x {2 * ramp_half_width * 100:.0f} cm "
            f"centred at (0.15, {y0}, 0.2), "
            f"pitched {pitch} degrees down towards +x."
        )
        return Layout(
            frame=frame, scene=(kerb, end_wall, ball), reference=(reference,), brief=brief
        )
