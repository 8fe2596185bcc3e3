"""Observe: what the recording says about a profile — which benchmarks it solved and
failed (latest outcome per benchmark), why, and the benchmarks' specs.

A solve belongs to the profile its request names (``profile_id``); solves that name
none were made with the built-in settings and belong to the role's packaged default.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import orjson
from sqlalchemy import Engine, select

from arena_core.db import Message
from arena_core.db.benchmarks import LibraryBenchmark, benchmarks, load_spec
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.optimizer import RegressionJobCompleted
from arena_core.events.sim import MeshBlob
from arena_core.spec import BenchmarkSpec

messages = Message.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """The latest recorded solve of one benchmark by one profile."""

    benchmark_id: str
    solved: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """A benchmark as the team may see it."""

    benchmark_id: str
    spec: BenchmarkSpec
    meshes: tuple[MeshBlob, ...] = ()


def outcomes(engine: Engine, owners: set[str | None]) -> dict[str, Outcome]:
    """Latest outcome per benchmark of the solves whose request names one of ``owners``
    as its profile (None: solves that name no profile)."""
    kinds = (SolveJobRequested.EVENT_TYPE, SolveJobCompleted.EVENT_TYPE)
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.type, messages.c.msg_id, messages.c.causation_id, messages.c.body)
            .where(messages.c.type.in_(kinds), messages.c.valid)
            .order_by(messages.c.seq)
        ).all()
    owner: dict[str, str | None] = {}
    found: dict[str, Outcome] = {}
    for row in rows:
        payload = orjson.loads(row.body).get("payload", {})
        if row.type == SolveJobRequested.EVENT_TYPE:
            owner[row.msg_id] = payload.get("profile_id")
            continue
        if row.causation_id not in owner or owner[row.causation_id] not in owners:
            continue
        done = SolveJobCompleted.model_validate(payload)
        found[done.benchmark_id] = Outcome(done.benchmark_id, done.solved, done.reasons)
    return found


def choose(
    seen: dict[str, Outcome], targets: int, controls: int, rng: random.Random
) -> tuple[list[str], list[str]]:
    """Up to ``targets`` failed and ``controls`` solved benchmark ids, drawn with ``rng``
    from the sorted ids (so the same recording and seed choose the same ones)."""
    failed = sorted(b for b, o in seen.items() if not o.solved)
    solved = sorted(b for b, o in seen.items() if o.solved)
    return _pick(failed, targets, rng), _pick(solved, controls, rng)


def _pick(ids: list[str], n: int, rng: random.Random) -> list[str]:
    return sorted(rng.sample(ids, min(n, len(ids))))


def success_rate(seen: dict[str, Outcome]) -> float | None:
    return sum(o.solved for o in seen.values()) / len(seen) if seen else None


def failure_reasons(seen: dict[str, Outcome]) -> list[str]:
    return [r for o in seen.values() if not o.solved for r in o.reasons]


def load_targets(engine: Engine, ids: Sequence[str]) -> list[Target]:
    """The library rows (or built-in examples) of these benchmark ids, in that order;
    ids the library does not hold are left out."""
    from arena_core.spec import examples

    with engine.connect() as conn:
        rows = {
            r.benchmark_id: LibraryBenchmark.model_validate(r._asdict())
            for r in conn.execute(select(benchmarks).where(benchmarks.c.benchmark_id.in_(ids)))
        }
    found = []
    for id in ids:
        if id in rows:
            row = rows[id]
            meshes = tuple(MeshBlob.model_validate(m) for m in orjson.loads(row.meshes))
            found.append(Target(id, load_spec(row), meshes))
        elif id.startswith("example:"):
            name, _, seed = id.removeprefix("example:").partition(":")
            make = getattr(examples, name, None)
            if callable(make) and not name.startswith("_"):
                found.append(Target(id, make(int(seed or 0))))
    return found


def spent_on(engine: Engine, day: date) -> tuple[float, float]:
    """Dollars and simulated seconds the recorded regression batches of ``day`` (UTC)
    spent: a restarted optimizer starts its daily budget from them."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.body).where(
                messages.c.type == RegressionJobCompleted.EVENT_TYPE,
                messages.c.ts >= start,
                messages.c.ts < start + timedelta(days=1),
            )
        ).all()
    usd = sim = 0.0
    for (body,) in rows:
        payload = orjson.loads(body).get("payload", {})
        usd += float(payload.get("cost_usd", 0.0))
        sim += float(payload.get("sim_time_s", 0.0))
    return usd, sim
