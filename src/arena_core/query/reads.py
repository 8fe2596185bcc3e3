"""What the query responder reads from the recording (read-only), one function per query."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import orjson
from sqlalchemy import Engine, select

from arena_core.db import Message
from arena_core.db.benchmarks import LibraryBenchmark, benchmarks, load_spec
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.optimizer import RegressionJobCompleted
from arena_core.events.sim import MeshBlob
from arena_core.profiles import get_profile, prod_profile
from arena_core.query.models import (
    BenchmarkTarget,
    ProfileAnswer,
    ProfileQuery,
    SolveOutcome,
    SolveOutcomesAnswer,
    SolveOutcomesQuery,
    SpentAnswer,
    SpentQuery,
    TargetsAnswer,
    TargetsQuery,
)

messages = Message.__table__  # type: ignore[attr-defined]


def solve_outcomes(engine: Engine, query: SolveOutcomesQuery) -> SolveOutcomesAnswer:
    owners = set(query.profile_ids)
    kinds = (SolveJobRequested.EVENT_TYPE, SolveJobCompleted.EVENT_TYPE)
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.type, messages.c.msg_id, messages.c.causation_id, messages.c.body)
            .where(messages.c.type.in_(kinds), messages.c.valid)
            .order_by(messages.c.seq)
        ).all()
    owner: dict[str, str | None] = {}
    found: dict[str, SolveOutcome] = {}
    for row in rows:
        payload = orjson.loads(row.body).get("payload", {})
        if row.type == SolveJobRequested.EVENT_TYPE:
            owner[row.msg_id] = payload.get("profile_id")
            continue
        if row.causation_id not in owner or owner[row.causation_id] not in owners:
            continue
        done = SolveJobCompleted.model_validate(payload)
        found[done.benchmark_id] = SolveOutcome(
            benchmark_id=done.benchmark_id, solved=done.solved, reasons=done.reasons
        )
    return SolveOutcomesAnswer(outcomes=tuple(found[b] for b in sorted(found)))


def targets(engine: Engine, query: TargetsQuery) -> TargetsAnswer:
    from arena_core.spec import examples

    ids = query.benchmark_ids
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
            found.append(BenchmarkTarget(benchmark_id=id, spec=load_spec(row), meshes=meshes))
        elif id.startswith("example:"):
            name, _, seed = id.removeprefix("example:").partition(":")
            make = getattr(examples, name, None)
            if callable(make) and not name.startswith("_") and (seed.isdigit() or not seed):
                found.append(BenchmarkTarget(benchmark_id=id, spec=make(int(seed or 0))))
    return TargetsAnswer(targets=tuple(found))


def spent(engine: Engine, query: SpentQuery) -> SpentAnswer:
    start = datetime.combine(query.day, time.min, tzinfo=UTC)
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
    return SpentAnswer(usd=usd, sim_s=sim)


def profile(engine: Engine, query: ProfileQuery) -> ProfileAnswer:
    """Raises ``ProfileError`` (unknown role or profile): the responder refuses with it."""
    found = (
        get_profile(engine, query.profile_id)
        if query.profile_id
        else prod_profile(engine, query.role)
    )
    return ProfileAnswer(profile=found, recorded=found.created_at is not None)
