"""Which benchmarks a selection names: by id, family, declared or measured difficulty, or
"failed before", from the benchmark library and the recorded solves.

The query responder answers a batch worker's ``SelectionQuery`` with ``choose``; what of
the selection names nothing comes back as rejections, never as an exception, so the
rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Engine, select

from arena_core.db.benchmarks import library, load_spec
from arena_core.db.tables import messages
from arena_core.errors import ArenaError
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.registry import recorded_payload
from arena_core.events.selection import BenchmarkSelection, SelectionProblem, SelectionRejected
from arena_core.events.sim import MeshBlob
from arena_core.library import Target, UnknownBenchmark, example


class EmptySelection(ArenaError, LookupError):
    """The selection matches no benchmark."""


@dataclass
class Chosen:
    """What a selection names, in library order (asked ids first, in the order asked)."""

    targets: list[Target] = field(default_factory=list)
    rejected: list[SelectionRejected] = field(default_factory=list)


def solve_record(engine: Engine) -> dict[str, tuple[int, int]]:
    """Recorded solves per benchmark: ``(solved, ended)``."""
    out: dict[str, tuple[int, int]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.body).where(
                messages.c.type == "solve.job.completed", messages.c.valid.is_(True)
            )
        ).all()
        for (body,) in rows:
            done = recorded_payload(body, SolveJobCompleted)
            solved, ended = out.get(done.benchmark_id, (0, 0))
            out[done.benchmark_id] = (solved + int(done.solved), ended + 1)
        failed = conn.execute(
            select(messages.c.body).where(
                messages.c.type == "solve.job.requested",
                messages.c.msg_id.in_(
                    select(messages.c.causation_id).where(messages.c.type == "solve.job.failed")
                ),
            )
        ).all()
        for (body,) in failed:
            asked = recorded_payload(body, SolveJobRequested)
            solved, ended = out.get(asked.benchmark_id, (0, 0))
            out[asked.benchmark_id] = (solved, ended + 1)
    return out


def _rejected(reason: SelectionProblem, value: str, detail: str) -> SelectionRejected:
    return SelectionRejected(reason=reason, value=value[:256], detail=detail[:2000])


def choose(engine: Engine | None, s: BenchmarkSelection) -> Chosen:
    """The benchmarks ``s`` names (``engine``: the recording; None: examples only)."""
    chosen = Chosen()
    rows = []
    if engine is not None:
        with engine.connect() as conn:
            rows = library(conn)
    found: dict[str, Target] = {}
    for wanted in s.benchmark_ids:
        if wanted.startswith("example:"):
            try:
                target = example(wanted)
            except UnknownBenchmark as exc:
                chosen.rejected.append(
                    _rejected(SelectionProblem.unknown_benchmark, wanted, str(exc))
                )
                continue
            found.setdefault(target.benchmark_id, target)
            continue
        matches = [r for r in rows if r.benchmark_id.startswith(wanted)]
        if len(matches) != 1:
            reason = (
                SelectionProblem.ambiguous_benchmark
                if matches
                else SelectionProblem.unknown_benchmark
            )
            detail = f"{wanted!r} matches {len(matches)} benchmarks of the library"
            chosen.rejected.append(_rejected(reason, wanted, detail))
            continue
        row = matches[0]
        found.setdefault(row.benchmark_id, Target(row.benchmark_id, load_spec(row), _meshes(row)))
    if not s.benchmark_ids:
        found = {r.benchmark_id: Target(r.benchmark_id, load_spec(r), _meshes(r)) for r in rows}
    known = {r.family for r in rows} | {t.spec.family for t in found.values()}
    for family in s.families:
        if family not in known:
            detail = f"no family {family!r} in the library; it has: {', '.join(sorted(known))}"
            chosen.rejected.append(_rejected(SelectionProblem.unknown_family, family, detail))
    targets = _filter(engine, list(found.values()), s)
    if s.latest:
        targets = targets[-s.latest :]
    chosen.targets = targets[: s.limit] if s.limit else targets
    return chosen


def select_benchmarks(engine: Engine | None, s: BenchmarkSelection) -> list[Target]:
    """The benchmarks ``s`` names; ``UnknownBenchmark`` for the first part that names
    nothing, ``EmptySelection`` when nothing is left."""
    chosen = choose(engine, s)
    if chosen.rejected:
        raise UnknownBenchmark(chosen.rejected[0].detail)
    if not chosen.targets:
        raise EmptySelection("no benchmark matches the selection")
    return chosen.targets


def _filter(
    engine: Engine | None, targets: Sequence[Target], s: BenchmarkSelection
) -> list[Target]:
    out = [
        t
        for t in targets
        if (not s.families or t.spec.family in s.families)
        and (s.min_difficulty is None or t.spec.difficulty >= s.min_difficulty)
        and (s.max_difficulty is None or t.spec.difficulty <= s.max_difficulty)
    ]
    if engine is None or (s.max_solve_rate is None and not s.failed_before):
        return out
    record = solve_record(engine)
    kept = []
    for t in out:
        solved, ended = record.get(t.benchmark_id, (0, 0))
        if s.failed_before and solved == ended:
            continue
        if s.max_solve_rate is not None and ended and solved / ended > s.max_solve_rate:
            continue
        kept.append(t)
    return kept


def _meshes(row: object) -> tuple[MeshBlob, ...]:
    return tuple(MeshBlob.model_validate(m) for m in orjson.loads(getattr(row, "meshes", "[]")))
