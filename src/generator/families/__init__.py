"""The procedural benchmark families, by name."""

from __future__ import annotations

import random

from arena_core.errors import ArenaError
from generator.families.ball_to_goal import BallToGoal
from generator.families.base import (
    Draft,
    Family,
    Frame,
    Layout,
    solution_from_draft,
    spec_from_draft,
)
from generator.families.bridge_gap import BridgeGap
from generator.families.funnel import Funnel
from generator.families.hold_load import HoldLoad
from generator.families.lift import Lift
from generator.families.motor_push import MotorPush
from generator.families.retaining_wall import RetainingWall
from generator.families.sweep import Sweep

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        BallToGoal(),
        BridgeGap(),
        MotorPush(),
        HoldLoad(),
        Funnel(),
        Sweep(),
        Lift(),
        RetainingWall(),
    )
}
"""Every family, by name."""


class UnknownFamily(ArenaError, LookupError):
    """No family of that name exists."""


def family(name: str) -> Family:
    """The family called ``name``; ``UnknownFamily`` otherwise."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamily(f"no family {name!r}; known: {', '.join(sorted(FAMILIES))}") from None


def pick_family(seed: int) -> Family:
    """The family a job without one gets: drawn from the seed."""
    names = sorted(FAMILIES)
    return FAMILIES[names[random.Random(f"family/{seed}").randrange(len(names))]]


__all__ = [
    "FAMILIES",
    "Draft",
    "Family",
    "Frame",
    "Layout",
    "UnknownFamily",
    "family",
    "pick_family",
    "solution_from_draft",
    "spec_from_draft",
]
