"""Hold a load: a crate is dropped and must be held above a height for a while.

The reference is a printed shelf under the crate, held up by a thin web standing on
the floor. Difficulty (1..5, see ``generator.families.base.LEVELS``):

- the cost and mass limits are 3x (level 1) down to 1.2x (level 5) the reference's own
  cost and mass;
- the build zone closes in from a 36 cm square between the walls towards the shelf (from
  level 4 it keeps half its room along x, so it does not tell where the off-centre shelf
  stands);
- the crate is released 2.5-3.5 mm above the reference shelf and may sink 3 mm (levels 1
  and 2) down to 2 mm (level 5) below it, a deflection limit: a support's top must land
  in that band (random parts that reach up to the build zone's top under the crate hit a
  wider band one time in ten at level 1);
- the crate's start jitter grows from 3 cm to 6 cm with the copies from 4 to 8 (the
  reference shelf grows with the jitter; a random part rarely catches every copy);
- from level 2 two conduits run beside the load at the shelf's height, 3 cm (level 2),
  1.5 cm (level 3) and 2 mm (levels 4, 5) beyond the reference shelf: a support too wide
  touches them;
- from level 3 a cable duct runs along the floor under the crate: no post may stand under
  the load's centre;
- from level 4 one conduit lies under one side of the crate's landing spread, 12 mm
  (level 4) and 5 mm (level 5) beyond the reference shelf's near edge, which reaches
  8 mm past the furthest landing's centre: the support stands off centre and its near
  edge must be placed to within that window (short of it, the furthest landings tip off);
- the crate must be held 0.2 s longer a level (1 s to 1.8 s) and the time limit shrinks
  from 3 s to 2.4 s.
"""

from __future__ import annotations

import random

from arena_core.spec import (
    Box,
    HoldAbove,
    Jitter,
    ProcessRules,
    Zone,
)
from generator.families.base import Family, Frame, Layout, build_zone, level, limits, r3
from generator.layout import Solid

SHELF = 0.004
"""Thickness of the reference's shelf and web (metres)."""
SHELF_OVERHANG = 0.012
"""How much wider than the crate's jittered footprint the reference shelf is (metres)."""
WEB_WIDTH = 0.03
"""Width of the web that holds the reference shelf up (metres)."""


SAG_M = {1: 0.003, 2: 0.003, 3: 0.0025, 4: 0.00225, 5: 0.002}
"""By level: how far the crate may sink below the reference shelf's top and still be held
(metres), a deflection limit: a support's top must land in a band this much plus the
drop, less the build zone's 3 mm clearance under the crate, deep."""
CONDUIT_CLEARANCE_M = {1: None, 2: 0.03, 3: 0.015, 4: 0.002, 5: 0.002}
"""By level: how far beyond the reference shelf's edges two conduits run along y at the
shelf's height (``None``: no conduits). A support wider than that touches them."""
OFF_CENTRE_WINDOW_M = {4: 0.012, 5: 0.005}
"""By level: one conduit runs under one side of the crate's landing spread, this far
beyond the reference shelf's near edge, so the support must stand off centre: its near
edge must reach past the furthest landing's centre yet stay short of the conduit."""
X_ROOM = 0.5
"""Share of its room the build zone keeps along x once the shelf stands off centre."""
LANDING_MARGIN_M = 0.008
"""How far the off-centre reference shelf's near edge reaches past the furthest landing's
centre (metres)."""
CONDUIT_WIDTH_M = 0.02
"""Width of each conduit (metres)."""
CONDUIT_DEPTH_M = 0.03
"""How far below the reference shelf's top the conduits reach (metres); their tops lie
half a shelf below it, so a crate resting on a support never touches them."""
DUCT_FROM_LEVEL = 3
"""From this level a cable duct runs along the floor under the crate: no post may stand
under the load's centre, the reference's web stands beside the duct."""
DUCT_HALF_WIDTH_M = 0.015
"""Half width of the duct across its run (metres)."""
DUCT_HEIGHT_M = 0.03
"""Height of the duct above the floor (metres)."""


class HoldLoad(Family):
    name = "hold_load"
    summary = (
        "A crate is released above the floor between two low walls and must stay at or "
        "above a given height for a while. A solution is a 3D-printed support, fixed to the "
        "world, inside the build zone under the crate, within a mass and cost budget."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Layout:
        half = r3(rng.uniform(0.03, 0.045))
        hold_height = r3(rng.uniform(0.16, 0.22))
        drop = r3(rng.uniform(0.0025, 0.0035))
        cx = r3(rng.uniform(-0.1, 0.1))
        cy = r3(rng.uniform(-0.05, 0.05))
        lv = level(difficulty)
        jitter = r3(0.03 * lv.jitter)
        hold_s = r3(1.0 + 0.2 * (difficulty - 1))
        within_s = r3(3.0 * lv.time)
        # The support's top sits just under the crate's bottom at the hold height.
        top = r3(hold_height - half + SAG_M[difficulty])
        start_z = r3(top + half + drop)

        crate = Solid(
            name="crate", role="dynamic", material="steel",
            shape=Box(half_size=(half, half, half)), at=(cx, cy, start_z),
        )  # fmt: skip
        walls = tuple(
            Solid(
                name=f"wall_{side}", role="static", material="plywood",
                shape=Box(half_size=(0.01, 0.15, 0.03)),
                at=(r3(cx + sign * 0.2), cy, 0.03),
            )
            for side, sign in (("west", -1), ("east", 1))
        )  # fmt: skip
        # A shelf the crate (and every jittered copy of it) lands on, on a web to the floor;
        # off centre, away from a conduit under one side of the crate, from level 4.
        shelf_side = r3(2 * half + 2 * jitter + SHELF_OVERHANG)
        toward = rng.choice((-1, 1))
        window = OFF_CENTRE_WINDOW_M.get(difficulty)
        off = 0.0 if window is None else toward * (jitter + LANDING_MARGIN_M - shelf_side / 2)
        shelf_x = r3(cx + off)
        shelf = Solid(
            name="shelf", role="fixed", material="abs",
            shape=Box(half_size=(shelf_side / 2, shelf_side / 2, SHELF / 2)),
            at=(shelf_x, cy, r3(top - 0.001 - SHELF / 2)),
        )  # fmt: skip
        web_height = r3(top - 0.001 - SHELF - 0.0015)
        duct = difficulty >= DUCT_FROM_LEVEL
        web_y = r3(cy + DUCT_HALF_WIDTH_M + 0.006) if duct else cy
        web = Solid(
            name="web", role="fixed", material="abs",
            shape=Box(half_size=(WEB_WIDTH / 2, SHELF / 2, web_height / 2)),
            at=(shelf_x, web_y, r3(0.001 + web_height / 2)),
        )  # fmt: skip
        roomiest = Zone(
            label="build",
            low=(r3(cx - 0.18), r3(cy - 0.18), 0.0),
            high=(r3(cx + 0.18), r3(cy + 0.18), r3(start_z - half - 0.003)),
        )
        build = build_zone(roomiest, [shelf, web], lv.room)
        if window is not None:
            # Along x the zone keeps at least half its room: sides hugging the off-centre
            # shelf would tell where it stands.
            along = build_zone(roomiest, [shelf, web], max(lv.room, X_ROOM))
            build = Zone(
                label="build",
                low=(along.low[0], build.low[1], build.low[2]),
                high=(along.high[0], build.high[1], build.high[2]),
            )
        forbid = []
        clearance = CONDUIT_CLEARANCE_M[difficulty]
        if clearance is not None:
            # Two conduits along y at the shelf's height, their near faces this far from
            # the reference shelf's centre (from level 4 the one it moved away from lies
            # under the side of the crate's landing spread).
            reach = {
                toward: shelf_side / 2 + (clearance if window is None else window),
                -toward: shelf_side / 2 + clearance,
            }
            forbid += [
                Zone(
                    label=f"conduit_{name}",
                    low=(r3(shelf_x + sign * reach[sign] - (sign < 0) * CONDUIT_WIDTH_M),
                         r3(cy - 0.18), r3(top - CONDUIT_DEPTH_M)),
                    high=(r3(shelf_x + sign * reach[sign] + (sign > 0) * CONDUIT_WIDTH_M),
                          r3(cy + 0.18), r3(top - 0.001 - SHELF / 2)),
                )
                for name, sign in (("west", -1), ("east", 1))
            ]  # fmt: skip
        if duct:
            forbid.append(
                Zone(
                    label="duct",
                    low=(r3(cx - 0.18), r3(cy - DUCT_HALF_WIDTH_M), -0.05),
                    high=(r3(cx + 0.18), r3(cy + DUCT_HALF_WIDTH_M), DUCT_HEIGHT_M),
                )
            )
        frame = Frame(
            description=(
                f"A steel crate ({2 * half * 100:.0f} cm cube) is released at "
                f"{start_z * 100:.0f} cm. Keep its centre at or above "
                f"{hold_height * 100:.1f} cm for {hold_s:g} s within {within_s:g} s."
                + (" Keep clear of the conduits beside the load" if forbid else "")
                + (" and of the cable duct on the floor under it" if duct else "")
                + ("." if forbid else "")
            ),
            payload="crate",
            bounds=Zone(label="world", low=(-0.8, -0.8, -0.1), high=(0.8, 0.8, 0.8)),
            build_zone=build,
            forbid_zones=tuple(forbid),
            goal=HoldAbove(object="crate", height=hold_height, hold_s=hold_s, within_s=within_s),
            jitter=Jitter(position=(jitter, jitter, 0.0), copies=lv.copies),
            constraints=limits([shelf, web], lv.margin, ProcessRules.fdm()),
        )
        brief = (
            f"Scene: floor plane (given). A steel crate, a cube of side {2 * half} m centred at "
            f"({cx}, {cy}, {start_z}) (label 'crate'). Two plywood walls 2 x 30 x 6 cm standing "
            f"on the floor at x={cx - 0.2:.3f} and x={cx + 0.2:.3f}. Reference: an ABS shelf "
            f"{shelf_side} m square and {SHELF * 1000:.0f} mm thick, its top at "
            f"z={top - 0.001:.3f} m under the crate, on a {WEB_WIDTH * 100:.0f} cm wide ABS "
            "web standing on the floor."
        )
        return Layout(frame=frame, scene=(*walls, crate), reference=(shelf, web), brief=brief)
