"""Experiments: what a regression batch measured, and the evaluator protocol.

The service's evaluator runs each batch over the bus (``optimizer.batches``); the
harness in ``benchmarks/optimize.py`` shares one in-process evaluator between methods.
Both answer ``Measured`` (every child answered) or ``Lost`` (some did not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from arena_core.events.profiles import Objectives, TeamSettings


@dataclass(frozen=True)
class Experiment:
    """One regression batch: a profile's settings on targets and controls."""

    experiment_id: str
    profile_id: str
    template: str
    """The role's template of the profile (the engineer's system prompt in the batch)."""
    settings: TeamSettings
    targets: tuple[str, ...]
    controls: tuple[str, ...]
    seed: int
    role: str = "engineer"
    version: str = "1.0.0"
    """The profile's semantic version."""


@dataclass(frozen=True)
class Solve:
    """One child's answer."""

    benchmark_id: str
    solved: bool
    tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    """Wall seconds from plan to outcome (the solve's ``wall_s``: the LLM's calls, the
    simulations and the CAD runs alike)."""
    simulations: int = 0
    sim_time_s: float = 0.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    """Every child answered."""

    solves: tuple[Solve, ...]

    @property
    def objectives(self) -> Objectives:
        return summarize(self.solves)

    @property
    def solved(self) -> set[str]:
        return {s.benchmark_id for s in self.solves if s.solved}

    @property
    def sim_time_s(self) -> float:
        return sum(s.sim_time_s for s in self.solves)

    @property
    def cost_usd(self) -> float:
        return sum(s.cost_usd for s in self.solves)


@dataclass(frozen=True)
class Lost:
    """Some children got no answer before their deadline (workers died or hung)."""

    missing: tuple[str, ...]
    detail: str


class Evaluator(Protocol):
    """Runs a regression batch."""

    async def evaluate(self, experiment: Experiment) -> Measured | Lost: ...


def summarize(solves: Sequence[Solve]) -> Objectives:
    """Means over the solves (zeros for none). Latency is kept to the millisecond:
    ``optimizer.select`` compares it on a coarser scale, so wall-clock noise does not
    reorder a front."""
    n = len(solves) or 1
    return Objectives(
        success=round(sum(s.solved for s in solves) / n, 6),
        cost_usd=round(sum(s.cost_usd for s in solves) / n, 6),
        tokens=round(sum(s.tokens for s in solves) / n, 3),
        latency_s=round(sum(s.latency_s for s in solves) / n, 3),
        simulations=round(sum(s.simulations for s in solves) / n, 3),
    )
