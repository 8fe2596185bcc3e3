"""Non-triviality, proven statistically: how often do random designs solve a benchmark?

PHYRE's rule: a benchmark is trivial when the empty solution passes, or when at least
``TRIVIAL_RATE`` of ``RANDOM_DESIGNS`` seeded random designs (``generator.random_designs``)
meet the goal on every jittered copy. One failed copy decides that a design does not pass,
so each design's simulation stops there (``SimJobRequested.until_first_failure``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from arena_core.events.benchmark import Triviality
from arena_core.events.sim import SimJobCompleted
from arena_core.spec import BenchmarkSpec, Solution
from generator.random_designs import random_designs

RANDOM_DESIGNS = 50
"""N: random designs simulated per benchmark."""
TRIVIAL_RATE = 0.1
"""Share of random designs passing every copy at which a benchmark is trivial."""
CONCURRENCY = 8
"""Random designs in flight at once."""

Simulate = Callable[[Solution], Awaitable[SimJobCompleted | None]]
"""Simulates one design (``None`` when the simulation produced no verdict)."""


def solved_every_copy(result: SimJobCompleted | None) -> bool:
    """The design met the goal on every jittered copy (limits aside: physics alone)."""
    copies = result.metrics.copies if result is not None else ()
    return bool(copies) and all(c.success for c in copies)


async def measure(
    spec: BenchmarkSpec, simulate: Simulate, designs: int = RANDOM_DESIGNS, seed: int = 0
) -> Triviality:
    """Simulate ``designs`` random designs of ``spec`` and count those that pass."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(solution: Solution) -> bool:
        async with gate:
            return solved_every_copy(await simulate(solution))

    candidates = random_designs(spec, designs, seed)
    passes = sum(await asyncio.gather(*(one(s) for s in candidates)))
    n = len(candidates)
    return Triviality(
        designs=n, passes=passes, rate=round(passes / n, 6) if n else 0.0,
        threshold=TRIVIAL_RATE, seed=seed,
    )  # fmt: skip


def is_trivial(triviality: Triviality) -> bool:
    return triviality.designs > 0 and triviality.rate >= triviality.threshold
