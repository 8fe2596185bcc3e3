"""Hold a load: a crate is dropped and must be held above a height for a while."""

from __future__ import annotations

import random

from arena_core.spec import (
    Box,
    Constraints,
    HoldAbove,
    Jitter,
    Plane,
    ProcessRules,
    StaticObject,
    Zone,
)
from generator.families.base import Draft, Family, Frame, r3
from generator.layout import Solid


class HoldLoad(Family):
    name = "hold_load"
    summary = (
        "A crate is released above the floor between two low walls and must stay at or "
        "above a given height for a while. A solution is a 3D-printed support, fixed to the "
        "world, inside the build zone under the crate, within a mass and cost budget."
    )

    def layout(self, rng: random.Random, seed: int, difficulty: int, revision: int) -> Draft:
        half = r3(rng.uniform(0.03, 0.045))
        hold_height = r3(rng.uniform(0.1, 0.18))
        drop = r3(rng.uniform(0.02, 0.05))
        cx = r3(rng.uniform(-0.1, 0.1))
        cy = r3(rng.uniform(-0.05, 0.05))
        # The support's top sits just under the crate's bottom at the hold height.
        top = r3(hold_height - half + 0.01)
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
        build = Zone(
            label="build",
            low=(r3(cx - 0.12), r3(cy - 0.12), 0.0),
            high=(r3(cx + 0.12), r3(cy + 0.12), r3(start_z - half - 0.005)),
        )
        frame = Frame(
            description=(
                f"A steel crate ({2 * half * 100:.0f} cm cube) is released at "
                f"{start_z * 100:.0f} cm. Keep its centre at or above "
                f"{hold_height * 100:.1f} cm for 1 s within 3 s."
            ),
            payload="crate",
            bounds=Zone(label="world", low=(-0.8, -0.8, -0.1), high=(0.8, 0.8, 0.8)),
            fixed_static=(StaticObject(label="floor", geometry=Plane(), material="plywood"),),
            build_zone=build,
            goal=HoldAbove(object="crate", height=hold_height, hold_s=1.0, within_s=3.0),
            jitter=Jitter(position=(0.008, 0.008, 0.0), copies=4),
            constraints=Constraints(max_cost=30.0, max_mass=1.2, process=ProcessRules.fdm()),
        )
        post = r3(rng.uniform(0.045, 0.06))
        height = r3(top - 0.001)
        pillar = Solid(
            name="pillar", role="fixed", material="pla",
            shape=Box(half_size=(post / 2, post / 2, height / 2)),
            at=(cx, cy, r3(0.001 + height / 2)),
        )  # fmt: skip
        brief = (
            f"Scene: floor plane (given). A steel crate, a cube of side {2 * half} m centred at "
            f"({cx}, {cy}, {start_z}) (label 'crate'). Two plywood walls 2 x 30 x 6 cm standing "
            f"on the floor at x={cx - 0.2:.3f} and x={cx + 0.2:.3f}. Reference: a PLA pillar "
            f"{post} m square from the floor up to z={top} m under the crate."
        )
        return Draft(
            family=self.name, seed=seed, difficulty=difficulty, frame=frame,
            scene=(*walls, crate), reference=(pillar,), brief=brief,
        )  # fmt: skip
