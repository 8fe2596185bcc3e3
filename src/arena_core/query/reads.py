"""What the query responder reads from the recording (read-only), one function per query."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import orjson
from sqlalchemy import Engine, select

from arena_core.db import Message
from arena_core.db.benchmarks import LibraryBenchmark, benchmarks, load_spec
from arena_core.db.experiments import get_experiment, list_experiments
from arena_core.db.team import skill_versions
from arena_core.errors import ArenaError
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.optimizer import RegressionJobCompleted
from arena_core.events.registry import recorded_payload
from arena_core.events.sim import MeshBlob, SimJobCompleted, SimJobRequested
from arena_core.profiles import (
    UnknownProfile,
    evaluations,
    get_profile,
    list_profiles,
    prod_profile,
)
from arena_core.query.models import (
    BenchmarkTarget,
    EvaluatedAnswer,
    EvaluatedProfile,
    EvaluatedQuery,
    ExperimentsAnswer,
    ExperimentsQuery,
    ProfileAnswer,
    ProfileQuery,
    SelectedBenchmark,
    SelectionAnswer,
    SelectionQuery,
    SimulationAnswer,
    SimulationQuery,
    SkillsAnswer,
    SkillsQuery,
    SolveOutcome,
    SolveOutcomesAnswer,
    SolveOutcomesQuery,
    SpentAnswer,
    SpentQuery,
    TargetsAnswer,
    TargetsQuery,
)

messages = Message.__table__  # type: ignore[attr-defined]


class Unanswerable(ArenaError, LookupError):
    """The recording holds nothing that answers a query; ``kind`` says why."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


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


def selection(engine: Engine, query: SelectionQuery) -> SelectionAnswer:
    from arena_core.rollouts import choose

    chosen = choose(engine, query.selection)
    return SelectionAnswer(
        benchmarks=tuple(
            SelectedBenchmark(
                benchmark_id=t.benchmark_id, family=t.spec.family, difficulty=t.spec.difficulty
            )
            for t in chosen.targets
        ),
        rejected=tuple(chosen.rejected),
    )


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
    if query.profile_id:
        found = get_profile(engine, query.profile_id)
    elif query.role:
        found = prod_profile(engine, query.role)
    else:
        raise UnknownProfile("name a role or a profile id")
    return ProfileAnswer(profile=found, recorded=found.created_at is not None)


def evaluated(engine: Engine, query: EvaluatedQuery) -> EvaluatedAnswer:
    latest = {pid: objectives for pid, objectives, _ in evaluations(engine, query.role)}
    known = {p.id: p for p in list_profiles(engine, query.role)}
    return EvaluatedAnswer(
        profiles=tuple(
            EvaluatedProfile(profile=known[pid], objectives=objectives)
            for pid, objectives in latest.items()
            if pid in known
        )
    )


def experiments(engine: Engine, query: ExperimentsQuery) -> ExperimentsAnswer:
    recent = list_experiments(engine, query.role)[: query.recent]
    found = get_experiment(engine, query.experiment_id) if query.experiment_id else None
    return ExperimentsAnswer(recent=tuple(recent), experiment=found)


def simulation(engine: Engine, query: SimulationQuery) -> SimulationAnswer:
    """Raises ``Unanswerable`` for an unknown run or a simulation it did not request."""
    # Imported here: the replay package imports the recorder, which starts this responder.
    from arena_core.replay.runs import AmbiguousRun, UnknownRun, resolve_run

    try:
        run_id = resolve_run(engine, query.run)
    except (UnknownRun, AmbiguousRun) as exc:
        raise Unanswerable("unknown_run", str(exc)) from exc
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.msg_id, messages.c.body)
            .where(messages.c.run_id == run_id, messages.c.type == SimJobRequested.EVENT_TYPE)
            .order_by(messages.c.seq)
        ).all()
        if not rows:
            raise Unanswerable("no_simulation", f"run {run_id} simulated no design")
        index = len(rows) - 1 if query.design is None else query.design
        if index >= len(rows):
            raise Unanswerable(
                "no_simulation", f"run {run_id} has {len(rows)} simulations (0..{len(rows) - 1})"
            )
        msg_id, body = rows[index]
        answer = conn.execute(
            select(messages.c.body).where(
                messages.c.causation_id == msg_id,
                messages.c.type == SimJobCompleted.EVENT_TYPE,
            )
        ).scalar()
    verdict = None if answer is None else orjson.loads(answer)["payload"]
    return SimulationAnswer(
        run_id=run_id,
        index=index,
        count=len(rows),
        request=recorded_payload(body, SimJobRequested),
        passed=None if verdict is None else bool(verdict.get("passed")),
        failed_copies=tuple(
            c["copy_index"]
            for c in (verdict or {}).get("metrics", {}).get("copies", [])
            if not c.get("success")
        ),
    )


def skills(engine: Engine, query: SkillsQuery) -> SkillsAnswer:
    return SkillsAnswer(skills=tuple(skill_versions(engine, query.ids)))
