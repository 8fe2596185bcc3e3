"""The template catalogue: every part template by name, and the ones worth searching for a
benchmark, best first."""

from __future__ import annotations

from collections.abc import Callable

from arena_core.spec import BenchmarkSpec, HoldAbove
from engineer.design import Design, Genome
from engineer.mechanisms import gutter, riser, stop, sweeper
from engineer.scene import Scene
from engineer.templates import (
    bridge,
    chute,
    deck,
    lever,
    pusher,
    support,
    wall,
)

TemplateFunction = Callable[[Scene, Genome], Design | None]

TEMPLATES: dict[str, tuple[TemplateFunction, int]] = {
    "chute": (chute, 6),
    "bridge": (bridge, 4),
    "deck": (deck, 4),
    "pusher": (pusher, 4),
    "support": (support, 5),
    "wall": (wall, 2),
    "lever": (lever, 3),
    "gutter": (gutter, 7),
    "stop": (stop, 4),
    "sweeper": (sweeper, 4),
    "riser": (riser, 4),
}
"""Every template with its genome length."""

FAMILY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "funnel": ("gutter", "chute"),
    "retaining_wall": ("stop", "wall"),
}
"""Families whose mechanism the spec's features alone do not reveal."""


def templates_for(spec: BenchmarkSpec) -> tuple[str, ...]:
    """The templates worth searching for this benchmark, best first."""
    if spec.family in FAMILY_TEMPLATES:
        return FAMILY_TEMPLATES[spec.family]
    joints = {m.joint for m in spec.motors}
    if "hinge" in joints:
        return ("sweeper",)
    if any(m.joint == "slide" and abs(m.axis[2]) > abs(m.axis[0]) for m in spec.motors):
        return ("riser",)
    if isinstance(spec.goal, HoldAbove):
        return ("support", "bridge")
    if spec.motors:
        return ("pusher",)
    zone, payload = spec.build_zone, spec.payload
    above = payload is not None and all(
        lo <= p <= hi
        for p, lo, hi in zip(payload.pose.pos[:2], zone.low[:2], zone.high[:2], strict=True)
    )
    return ("chute", "lever") if above else ("deck", "chute")


def decode(spec: BenchmarkSpec, template: str, genome: Genome) -> Design | None:
    """The design of ``genome`` (``None`` when it cannot be placed legally)."""
    function, size = TEMPLATES[template]
    if len(genome) != size:
        raise ValueError(f"template {template} takes {size} genes, got {len(genome)}")
    return function(Scene.of(spec), genome)
