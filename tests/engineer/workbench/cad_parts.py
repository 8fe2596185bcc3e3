"""Real parts for the workbench tests, built once by build123d in the real sandbox.

Sizes are in metres; each part is placed at the origin so locations read simply.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from arena_core.cad import CadResult, run_cad
from arena_core.sandbox import Sandbox

CAD_SCRIPT = """
from build123d import *
from arena_cad import Part


def cup(wall):
    outer = Box(0.04, 0.04, 0.03, align=(Align.CENTER, Align.CENTER, Align.MIN))
    inner = Pos(0, 0, wall) * Box(
        0.04 - 2 * wall, 0.04 - 2 * wall, 0.03, align=(Align.CENTER, Align.CENTER, Align.MIN)
    )
    return outer - inner


def pocketed(corner_radius):
    block = Box(0.05, 0.04, 0.02, align=(Align.CENTER, Align.CENTER, Align.MIN))
    pocket = Box(0.03, 0.02, 0.01, align=(Align.CENTER, Align.CENTER, Align.MIN))
    if corner_radius:
        pocket = fillet(pocket.edges().filter_by(Axis.Z), corner_radius)
    return block - Pos(0, 0, 0.01) * pocket


def build():
    side_hole = Box(0.04, 0.03, 0.02, align=(Align.CENTER, Align.CENTER, Align.MIN)) - Pos(
        0, 0, 0.01
    ) * Rot(0, 90, 0) * Cylinder(0.005, 0.05)
    through_hole = Box(0.04, 0.03, 0.02) - Cylinder(0.005, 0.05)
    boss = extrude(Rectangle(0.04, 0.03), amount=0.02, taper=2)
    laser = Box(0.1, 0.06, 0.006) - Cylinder(0.01, 0.01)
    parts = {
        "thin_cup": cup(0.0008),
        "thick_cup": cup(0.002),
        "steep_plate": Rot(0, 30, 0) * Box(0.04, 0.03, 0.004),
        "gentle_plate": Rot(0, 45, 0) * Box(0.04, 0.03, 0.004),
        "sharp_pocket": pocketed(0),
        "filleted_pocket": pocketed(0.004),
        "tight_pocket": pocketed(0.002),
        "side_hole": side_hole,
        "through_hole": through_hole,
        "drafted_boss": boss,
        "long_bar": Box(0.3, 0.02, 0.02),
        "laser_plate": laser,
    }
    return [Part(name, shape, role="solution", density=1000.0) for name, shape in parts.items()]
"""


async def _run(root: Path) -> CadResult:
    sandbox = Sandbox(root=root, pool_size=1)
    await sandbox.start()
    try:
        return await run_cad(CAD_SCRIPT, sandbox=sandbox)
    finally:
        await sandbox.close()


def build_test_parts(root: Path) -> CadResult:
    """Run the script once; the meshes stay under ``root`` for the whole session."""
    result = asyncio.run(_run(root))
    assert result.ok, result.rejections
    return result
