"""Retaining wall: a crate sliding down a slippery slope must be stopped on a landing.

The crate starts high on a slope steeper than its friction angle; left alone it slides
down, off the slope's foot and into a pit. A solution is a retaining wall fixed across
the slope that catches the crate and keeps it on the goal stretch, tall and stiff enough
that the crate neither jumps it nor bounces back out.

Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the cost and mass limits are 3x (level 1) down to 1.2x (level 5) the reference wall's
  own cost and mass, and the build zone closes in on it (at most halfway);
- the slope steepens by 1.5 degrees a level (the crate arrives faster) and the crate
  starts 2 cm further up the slope a level;
- the goal stretch shortens from 9 cm to 8 cm along the slope up to level 3, then to
  6.5 cm and 5 cm, and the build zone reaches
  further up the slope than the stretch (a wall placed too high holds the crate short);
- the crate's start jitter doubles and the copies grow from 4 to 8;
- the crate must stay 0.1 s longer a level (0.5 s to 0.9 s) and the time limit shrinks
  from 3 s to 2.4 s.
"""

from __future__ import annotations

import math
import random

from arena_core.spec import Box, Jitter, ProcessRules, ReachZone, Zone
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

SLOPE_HALF = (0.35, 0.12, 0.01)
"""Half extents of the slope slab (along, across, thickness), metres."""
WALL_THICKNESS = 0.006
WALL_HALF_WIDTH = SLOPE_HALF[1] + 0.01
"""The reference wall spans the slope's whole width and a little more."""
HEIGHTS = (0.05, 0.06, 0.045, 0.07, 0.04)
"""Height of the reference wall above the slope, by revision (metres)."""


STRETCH = (0.09, 0.085, 0.08, 0.065, 0.05)
"""Length of the goal stretch along the slope, level 1 to 5 (metres): at the last levels
the wall's place up the slope must be right within a couple of centimetres."""


MIN_ROOM = 0.5
"""The build zone closes in on the wall at most halfway: a zone hugging the reference
would tell where the wall goes, which the short goal stretch asks a solver to find."""


class RetainingWall(Family):
    name = "retaining_wall"
    summary = (
        "A crate starts high on a slippery slope and slides down; left alone it goes off "
        "the slope's foot into a pit. It must come to rest on the goal stretch of the slope "
        "and stay there. A solution is a wall fixed to the world across the slope (a "
        "laser-cut vertical stop) that catches the crate on the goal stretch."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        lv = level(difficulty)
        theta_deg = r3(rng.uniform(31.0, 34.0) + 1.5 * (difficulty - 1))
        theta = math.radians(theta_deg)
        half = r3(rng.uniform(0.022, 0.03))
        foot_z = r3(rng.uniform(0.05, 0.08))
        y0 = r3(rng.uniform(-0.04, 0.04))
        # The slab's top surface: through (0, y0, surface(0)), falling towards +x.
        foot_x = SLOPE_HALF[0] * math.cos(theta)
        mid_z = foot_z + SLOPE_HALF[0] * math.sin(theta)

        def surface(x: float) -> float:
            return mid_z - x * math.tan(theta)

        cx = -SLOPE_HALF[2] * math.sin(theta)
        cz = mid_z - SLOPE_HALF[2] * math.cos(theta)
        slope = Solid(
            name="slope", role="static", material="pla",
            shape=Box(half_size=SLOPE_HALF), at=(r3(cx), y0, r3(cz)),
            rotate_deg=(0.0, theta_deg, 0.0),
        )  # fmt: skip
        jitter_x = r3(0.004 * lv.jitter)
        start_s = 0.05 + 0.02 * (difficulty - 1)
        """How far up the slope from its middle the crate starts (metres)."""
        sx = -start_s * math.cos(theta)
        lift = r3(half * 0.7) + 0.002 + jitter_x * math.tan(theta)
        crate = Solid(
            name="crate", role="dynamic", material="pla",
            # Not a cube: distinct extents keep its tilted pose recognizable from the CAD.
            shape=Box(half_size=(half, r3(half * 0.85), r3(half * 0.7))),
            at=(r3(sx + lift * math.sin(theta)), y0,
                r3(surface(sx) + lift * math.cos(theta))),
            rotate_deg=(0.0, theta_deg, 0.0),
        )  # fmt: skip
        stop_x = r3(foot_x - rng.uniform(0.08, 0.12))
        height = HEIGHTS[revision % len(HEIGHTS)]
        wall_bottom = surface(stop_x + WALL_THICKNESS / 2) - 0.004

        def wall(h: float) -> Solid:
            top = surface(stop_x - WALL_THICKNESS / 2) + h
            half_height = r3((top - wall_bottom) / 2)
            return Solid(
                name="wall", role="fixed", material="plywood",
                shape=Box(half_size=(WALL_THICKNESS / 2, WALL_HALF_WIDTH, half_height)),
                at=(r3(stop_x), y0, r3((top + wall_bottom) / 2)),
            )  # fmt: skip

        reference = wall(height)
        stretch = STRETCH[difficulty - 1]
        goal = Zone(
            label="landing",
            low=(r3(stop_x - stretch * math.cos(theta)), r3(y0 - 0.1), r3(surface(stop_x))),
            high=(r3(stop_x), r3(y0 + 0.1), r3(surface(stop_x - stretch) + 0.08)),
        )
        # Up the slope past the stretch, but clear of the crate's start.
        zone_x = max(stop_x - 0.25, crate.at[0] + half + jitter_x + 0.02)
        roomiest = Zone(
            label="build",
            low=(
                r3(zone_x),
                r3(y0 - WALL_HALF_WIDTH - 0.02),
                r3(surface(stop_x + 0.02) - 0.02),
            ),
            high=(
                r3(stop_x + 0.02),
                r3(y0 + WALL_HALF_WIDTH + 0.02),
                r3(surface(zone_x) + 0.1),
            ),
        )
        pit = Zone(label="pit", low=(r3(foot_x + 0.01), -0.5, -0.1), high=(1.0, 0.5, 0.01))
        hold_s = r3(0.5 + 0.1 * (difficulty - 1))
        frame = Frame(
            description=(
                f"A crate starts high on a {theta_deg:.1f} degree slope too slippery to hold "
                f"it. Stop it on the landing stretch just above x={stop_x:.2f} m and keep it "
                f"there {hold_s:g} s; the pit past the slope's foot is forbidden."
            ),
            payload="crate",
            bounds=Zone(label="world", low=(-0.8, -0.5, -0.1), high=(1.0, 0.5, 0.8)),
            build_zone=build_zone(roomiest, [wall(h) for h in HEIGHTS], max(lv.room, MIN_ROOM)),
            forbid_zones=(pit,),
            goal=ReachZone(object="crate", zone=goal, within_s=r3(3.0 * lv.time), hold_s=hold_s),
            jitter=Jitter(position=(jitter_x, r3(0.01 * lv.jitter), 0.0), copies=lv.copies),
            constraints=limits([reference], lv.margin, ProcessRules.laser(WALL_THICKNESS)),
        )
        brief = (
            f"Scene: floor plane (given). A PLA slope slab 70 x 24 x 2 cm pitched "
            f"{theta_deg} degrees down towards +x, its foot at ({foot_x:.3f}, {y0}, {foot_z}). "
            f"A PLA crate {2 * half} x {2 * r3(half * 0.85)} x {2 * r3(half * 0.7)} m lying "
            f"high on it, tilted with it (label 'crate'). "
            f"Reference: a plywood wall {WALL_THICKNESS * 1000:.0f} mm thick and "
            f"{2 * WALL_HALF_WIDTH * 100:.0f} cm wide "
            f"standing across the slope at x={stop_x}, {height * 100:.0f} cm above its surface."
        )
        return Layout(frame=frame, scene=(slope, crate), reference=(reference,), brief=brief)
