"""Funnel balls into a bin: balls dropped across a wide strip must all end in a narrow bin.

Every jittered copy drops the ball somewhere else across the strip (the spread is wider
than the bin's mouth), so a plain ramp delivers only the lucky copies: a solution has to
gather them, like a hopper or a V-shaped trough does, and send them down one line.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the cost and mass limits are 3x (level 1) down to 1.2x (level 5) the reference trough's
  own cost and mass, and the build zone closes in on it;
- the spread of the drop across the strip grows from 6 cm to 10 cm either side, with the
  copies from 4 to 8, while the bin's mouth narrows by 2 mm a level;
- the time limit shrinks from 3 s to 2.4 s.
"""

from __future__ import annotations

import math
import random

from arena_core.spec import Box, Jitter, ProcessRules, ReachZone, Sphere, Zone
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

SHEET = 0.006
"""Plywood sheet the reference trough is cut from (metres)."""
PITCH_DEG = 24.0
"""Descent of the reference trough's valley line."""
ROLL_DEG = (15.0, 12.0, 18.0, 10.0, 21.0)
"""Sideways tilt of the reference gutter towards its rail, by revision."""
TROUGH_LENGTH = 0.5
RAIL_HEIGHT = 0.06
"""Height of the reference gutter's rail above the deck (metres)."""
BEHIND = 0.06
"""How far the trough starts behind the landing point (metres)."""


def gutter(
    y0: float, landing_z: float, half_width: float, roll_deg: float, pitch_deg: float
) -> list[Solid]:
    """A plate descending along +x through the landing point (0, y0, landing_z), tilted by
    ``roll_deg`` so balls roll sideways to a rail standing on its low (-y) edge."""
    pitch, roll = math.radians(pitch_deg), math.radians(roll_deg)
    along = TROUGH_LENGTH / 2 - BEHIND

    def place(ly: float, lz: float) -> tuple[float, float, float]:
        # A point of the pitched, rolled frame whose origin is the landing point.
        y = ly * math.cos(roll) - lz * math.sin(roll)
        z = ly * math.sin(roll) + lz * math.cos(roll)
        x = along * math.cos(pitch) + z * math.sin(pitch)
        z = -along * math.sin(pitch) + z * math.cos(pitch)
        return (r3(x), r3(y0 + y), r3(landing_z + z))

    # The rail's inner face sits where the deck's low edge is: ``half_width`` below y0.
    deck = Solid(
        name="deck", role="fixed", material="plywood",
        shape=Box(half_size=(TROUGH_LENGTH / 2, half_width, SHEET / 2)),
        at=place(0.0, -SHEET / 2), rotate_deg=(roll_deg, pitch_deg, 0.0),
    )  # fmt: skip
    rail = Solid(
        name="rail", role="fixed", material="plywood",
        shape=Box(half_size=(TROUGH_LENGTH / 2, SHEET / 2, RAIL_HEIGHT / 2)),
        at=place(-half_width - SHEET / 2, RAIL_HEIGHT / 2 - SHEET),
        rotate_deg=(roll_deg, pitch_deg, 0.0),
    )  # fmt: skip
    return [deck, rail]


class Funnel(Family):
    name = "funnel"
    summary = (
        "A ball is dropped somewhere across a wide strip (each jittered copy elsewhere) and "
        "must end in a narrow bin on the floor ahead, between two kerbs. A ramp alone keeps "
        "the spread; a solution gathers the balls, e.g. a laser-cut V-shaped trough, fixed "
        "to the world, whose sides roll every ball to one valley line aimed at the bin."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        lv = level(difficulty)
        y0 = r3(rng.uniform(-0.06, 0.06))
        radius = r3(rng.uniform(0.022, 0.028))
        spread = r3(0.06 * (1 + (lv.jitter - 1) * 0.66))
        mouth = r3(radius + 0.03 - 0.002 * (difficulty - 1))
        bin_x = r3(rng.uniform(0.56, 0.62))
        bin_len = 0.2

        half_width = r3(spread + radius + 0.02)
        roll = ROLL_DEG[revision % len(ROLL_DEG)]
        # High enough that the low edge of the steepest-rolled deck clears the floor.
        landing_z = r3(rng.uniform(0.19, 0.21) + half_width * 0.35)
        drop = r3(landing_z + rng.uniform(0.1, 0.14) + half_width * 0.35)
        # The bin sits on the line a ball rolling along the reference's rail leaves on.
        line = r3(y0 - half_width + radius + 0.004)

        ball = Solid(
            name="ball", role="dynamic", material="rubber", shape=Sphere(radius=radius),
            at=(0.0, y0, drop),
        )  # fmt: skip
        kerbs = tuple(
            Solid(
                name=f"kerb_{side}", role="static", material="plywood",
                shape=Box(half_size=(r3(bin_len / 2 + 0.01), 0.005, 0.02)),
                at=(r3(bin_x + bin_len / 2 + 0.01), r3(line + sign * (mouth + 0.005)), 0.02),
            )
            for side, sign in (("left", 1), ("right", -1))
        )  # fmt: skip
        end_x = r3(bin_x + bin_len + 0.03)
        end_wall = Solid(
            name="end_wall", role="static", material="plywood",
            shape=Box(half_size=(0.01, r3(mouth + 0.01), 0.05)), at=(end_x, line, 0.05),
        )  # fmt: skip
        goal = Zone(
            label="bin", low=(bin_x, r3(line - mouth), 0.0),
            high=(r3(bin_x + bin_len), r3(line + mouth), 0.15),
        )  # fmt: skip
        reference = gutter(y0, landing_z, half_width, roll, PITCH_DEG)
        every = [p for r in ROLL_DEG for p in gutter(y0, landing_z, half_width, r, PITCH_DEG)]
        forbid = (Zone(label="pit", low=(-0.8, -0.5, -0.1), high=(-0.4, 0.5, 0.05)),)
        roomiest = Zone(
            label="build",
            low=(-0.2, r3(y0 - 0.25), 0.0),
            high=(0.5, r3(y0 + 0.25), r3(drop - radius - 0.005)),
        )
        frame = Frame(
            description=(
                f"A ball is dropped from {drop * 100:.0f} cm, anywhere within "
                f"{spread * 100:.0f} cm either side of y={y0:.2f} m. Get every ball into the "
                f"bin at x={bin_x:.2f} m, only {2 * mouth * 100:.1f} cm wide between its kerbs"
                + "."
            ),
            payload="ball",
            bounds=Zone(label="world", low=(-1.0, -0.6, -0.1), high=(1.5, 0.6, 1.0)),
            build_zone=build_zone(roomiest, every, lv.room),
            forbid_zones=forbid,
            goal=ReachZone(object="ball", zone=goal, within_s=r3(3.0 * lv.time), hold_s=0.2),
            jitter=Jitter(position=(0.005, spread, 0.0), copies=lv.copies),
            constraints=limits(reference, lv.margin, ProcessRules.laser(SHEET)),
        )
        brief = (
            f"Scene: floor plane (given). A rubber ball of radius {radius} m at (0, {y0}, "
            f"{drop}) (label 'ball'). Two plywood kerbs 1 x {bin_len * 100 + 2:.0f} x 4 cm "
            f"along x from x={bin_x} at y={line} +/- {mouth + 0.005:.3f}, and an end wall at "
            f"x={end_x}. Reference: a V-shaped trough of two {SHEET * 1000:.0f} mm plywood "
            f"sides {TROUGH_LENGTH * 100:.0f} x {half_width * 100:.1f} cm, each rolled {roll} "
            f"degrees towards the valley line through (0, {y0}, {landing_z}) that descends "
            f"{PITCH_DEG} degrees towards +x."
        )
        return Layout(
            frame=frame, scene=(*kerbs, end_wall, ball), reference=tuple(reference), brief=brief
        )
