"""Which benchmarks to roll out: by id, family, declared or measured difficulty, or
"failed before", from the benchmark library and the recorded solves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select

from arena_core.db.benchmarks import library, load_spec
from arena_core.db.tables import messages
from arena_core.errors import ArenaError
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.sim import MeshBlob
from arena_core.export.recorded import payload
from arena_core.spec import BenchmarkSpec, examples


class UnknownBenchmark(ArenaError, LookupError):
    """An id names no benchmark of the library (or several) and no built-in example."""


class EmptySelection(ArenaError, LookupError):
    """The selection matches no benchmark."""


@dataclass(frozen=True)
class Target:
    """A benchmark as the team may see it: id, spec and scene meshes (no reference)."""

    benchmark_id: str
    """Library id, or ``example:<name>:<seed>``."""
    spec: BenchmarkSpec
    """The spec."""
    meshes: tuple[MeshBlob, ...] = ()
    """The scene's meshes."""


@dataclass(frozen=True)
class Selection:
    """Which benchmarks to take; criteria combine (all must hold)."""

    ids: tuple[str, ...] = ()
    """Library ids (or unique prefixes) and ``example:<name>[:<seed>]``; empty: the library."""
    families: tuple[str, ...] = ()
    """Only these families."""
    min_difficulty: int | None = None
    """Declared difficulty at least this (1-5)."""
    max_difficulty: int | None = None
    """Declared difficulty at most this (1-5)."""
    max_solve_rate: float | None = None
    """Measured difficulty: recorded solves succeeded at most this often (0-1); benchmarks
    never solved before count as 0."""
    failed_before: bool = False
    """Only benchmarks with at least one recorded solve that did not solve them."""
    limit: int | None = None
    """At most this many (the first in library order)."""


def example(benchmark_id: str) -> Target:
    """The built-in example ``example:<name>[:<seed>]``."""
    name, _, seed = benchmark_id.removeprefix("example:").partition(":")
    make = getattr(examples, name, None)
    if name.startswith("_") or not callable(make) or not (seed or "0").isdigit():
        raise UnknownBenchmark(f"no example {benchmark_id!r}; the examples: ball_to_goal")
    spec = make(int(seed or 0))
    if not isinstance(spec, BenchmarkSpec):
        raise UnknownBenchmark(f"{benchmark_id!r} is not a benchmark example")
    return Target(f"example:{name}:{int(seed or 0)}", spec)


def solve_record(engine: Engine) -> dict[str, tuple[int, int]]:
    """Recorded solves per benchmark: ``(solved, ended)``."""
    out: dict[str, tuple[int, int]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.body, messages.c.causation_id).where(
                messages.c.type == "solve.job.completed", messages.c.valid.is_(True)
            )
        ).all()
        for body, _ in rows:
            done = payload(body, SolveJobCompleted)
            solved, ended = out.get(done.benchmark_id, (0, 0))
            out[done.benchmark_id] = (solved + int(done.solved), ended + 1)
        failed = conn.execute(
            select(messages.c.body)
            .select_from(messages)
            .where(
                messages.c.type == "solve.job.requested",
                messages.c.msg_id.in_(
                    select(messages.c.causation_id).where(messages.c.type == "solve.job.failed")
                ),
            )
        ).all()
        for (body,) in failed:
            asked = payload(body, SolveJobRequested)
            solved, ended = out.get(asked.benchmark_id, (0, 0))
            out[asked.benchmark_id] = (solved, ended + 1)
    return out


def select_benchmarks(engine: Engine | None, selection: Selection) -> list[Target]:
    """The benchmarks ``selection`` names, in library order (examples first)."""
    targets = [example(i) for i in selection.ids if i.startswith("example:")]
    library_ids = [i for i in selection.ids if not i.startswith("example:")]
    if engine is not None and (library_ids or not selection.ids):
        with engine.connect() as conn:
            rows = library(conn)
        if library_ids:
            chosen = []
            for wanted in library_ids:
                matches = [r for r in rows if r.benchmark_id.startswith(wanted)]
                if len(matches) != 1:
                    raise UnknownBenchmark(
                        f"{wanted!r} matches {len(matches)} benchmarks of the library"
                    )
                chosen += matches
            rows = chosen
        targets += [Target(r.benchmark_id, load_spec(r), _meshes(r.meshes)) for r in rows]
    elif library_ids:
        raise UnknownBenchmark(f"no benchmark library to find {library_ids[0]!r} in")
    targets = _filter(engine, targets, selection)
    if not targets:
        raise EmptySelection("no benchmark matches the selection")
    return targets[: selection.limit] if selection.limit else targets


def _filter(engine: Engine | None, targets: Sequence[Target], s: Selection) -> list[Target]:
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


def _meshes(text: str) -> tuple[MeshBlob, ...]:
    import orjson

    return tuple(MeshBlob.model_validate(m) for m in orjson.loads(text))
