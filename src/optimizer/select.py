"""Selection: DEAP's NSGA-II on [success, -cost, -latency, -simulations].

Cost is dollars when any member spent some, tokens otherwise (the offline policy has
no price). Latency is compared on a coarse scale (two significant digits): a solve's wall time
varies by a few percent from run to run, and that noise must not reorder a front. Ties
are broken by the order members are given in, so the same members in the same order
always give the same selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import floor, log10

from deap import base, tools

from arena_core.events.profiles import Objectives

WEIGHTS = (1.0, -1.0, -1.0, -1.0)
"""Maximise success; minimise cost, latency and simulations."""


class _Fitness(base.Fitness):  # type: ignore[misc]
    weights = WEIGHTS


class _Member(list[str]):
    def __init__(self, profile_id: str, values: tuple[float, ...]) -> None:
        super().__init__([profile_id])
        self.fitness = _Fitness(values)


@dataclass(frozen=True)
class Scored:
    """A profile and what its regression batch measured."""

    profile_id: str
    objectives: Objectives


def coarse(seconds: float, digits: int = 2) -> float:
    """``seconds`` to ``digits`` significant digits (12.34 -> 12.0, 0.0437 -> 0.044)."""
    if seconds <= 0:
        return 0.0
    return round(seconds, digits - 1 - floor(log10(seconds)))


def vectors(members: Sequence[Scored]) -> list[tuple[float, float, float, float]]:
    """The objective vector of each member (cost in dollars or tokens, for all alike)."""
    dollars = any(m.objectives.cost_usd > 0 for m in members)
    return [
        (
            m.objectives.success,
            m.objectives.cost_usd if dollars else m.objectives.tokens,
            coarse(m.objectives.latency_s),
            m.objectives.simulations,
        )
        for m in members
    ]


def _members(scored: Sequence[Scored]) -> list[_Member]:
    return [_Member(s.profile_id, v) for s, v in zip(scored, vectors(scored), strict=True)]


def select(scored: Sequence[Scored], k: int) -> list[str]:
    """Ids of the ``k`` members NSGA-II keeps (rank, then crowding distance)."""
    if k >= len(scored):
        return [s.profile_id for s in scored]
    return [m[0] for m in tools.selNSGA2(_members(scored), k)]


def front(scored: Sequence[Scored]) -> list[str]:
    """Ids of the non-dominated members, in the order given."""
    if not scored:
        return []
    first = tools.sortNondominated(_members(scored), len(scored), first_front_only=True)[0]
    ids = {m[0] for m in first}
    return [s.profile_id for s in scored if s.profile_id in ids]
