"""Observe: what the recording says about a profile — which benchmarks it solved and
failed (latest outcome per benchmark), why, and the benchmarks' specs — asked over NATS
(``arena_core.query``), so an optimizer on any node sees the same recording.

A solve belongs to the profile its request names (``profile_id``); solves that name
none were made with the built-in settings and belong to the role's packaged default.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from arena_core.bus import Bus
from arena_core.query import (
    BenchmarkTarget,
    ProfileAnswer,
    ProfileQuery,
    SolveOutcome,
    SolveOutcomesQuery,
    SpentQuery,
    TargetsQuery,
    ask,
)

Outcome = SolveOutcome
Target = BenchmarkTarget


async def outcomes(bus: Bus, owners: set[str | None]) -> dict[str, Outcome]:
    """Latest outcome per benchmark of the solves whose request names one of ``owners``
    as its profile (None: solves that name no profile)."""
    ids = tuple(sorted(owners, key=lambda o: (o is not None, o or "")))
    answer = await ask(bus, SolveOutcomesQuery(profile_ids=ids))
    return {o.benchmark_id: o for o in answer.outcomes}


async def start_profile(bus: Bus, role: str, profile_id: str | None) -> ProfileAnswer:
    """The profile to start from: ``profile_id``, or the role's ``prod`` profile."""
    return await ask(bus, ProfileQuery(role=role, profile_id=profile_id))


def choose(
    seen: dict[str, Outcome], targets: int, controls: int, rng: random.Random
) -> tuple[list[str], list[str]]:
    """Up to ``targets`` failed and ``controls`` solved benchmark ids, drawn with ``rng``
    from the sorted ids (so the same recording and seed choose the same ones)."""
    failed = sorted(b for b, o in seen.items() if not o.solved)
    solved = sorted(b for b, o in seen.items() if o.solved)
    return _pick(failed, targets, rng), _pick(solved, controls, rng)


def held_out(
    seen: dict[str, Outcome], used: Sequence[str], n: int, rng: random.Random
) -> list[str]:
    """Up to ``n`` recorded benchmark ids outside ``used`` (the batch), solved and failed
    alike, drawn with ``rng`` from the sorted ids."""
    taken = set(used)
    return _pick(sorted(b for b in seen if b not in taken), n, rng)


def _pick(ids: list[str], n: int, rng: random.Random) -> list[str]:
    return sorted(rng.sample(ids, min(n, len(ids))))


def success_rate(seen: dict[str, Outcome]) -> float | None:
    return sum(o.solved for o in seen.values()) / len(seen) if seen else None


def failure_reasons(seen: dict[str, Outcome]) -> list[str]:
    return [r for o in seen.values() if not o.solved for r in o.reasons]


async def load_targets(bus: Bus, ids: Sequence[str]) -> list[Target]:
    """The library benchmarks (or built-in examples) of these ids, in that order; ids the
    library does not hold are left out. Specs only: the reference never reaches the team."""
    return list((await ask(bus, TargetsQuery(benchmark_ids=tuple(ids)))).targets)


async def spent_on(bus: Bus, day: date) -> tuple[float, float]:
    """Dollars and simulated seconds the recorded regression batches of ``day`` (UTC)
    spent: a restarted optimizer starts its daily budget from them."""
    answer = await ask(bus, SpentQuery(day=day))
    return answer.usd, answer.sim_s
