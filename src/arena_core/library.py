"""The benchmark library as a command line reads it: ids or prefixes, or the newest N.

for entry in find_benchmarks(settings.database_path, ["ball_to_goal-01"], latest=None):
    ...  # entry.benchmark_id, entry.spec, entry.meshes (never the reference)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from arena_core.errors import ArenaError
from arena_core.events.sim import MeshBlob
from arena_core.spec import BenchmarkSpec


class UnknownBenchmark(ArenaError, LookupError):
    """No benchmark with that id in the library, or more than one with that prefix."""


@dataclass(frozen=True)
class LibraryEntry:
    """A benchmark as solvers may see it: id, spec and scene meshes."""

    benchmark_id: str
    spec: BenchmarkSpec
    meshes: tuple[MeshBlob, ...] = ()


def find_benchmarks(
    database_path: Path, prefixes: Sequence[str], latest: int | None = None
) -> list[LibraryEntry]:
    """One entry per prefix (each must match exactly one benchmark), then the newest
    ``latest`` benchmarks."""
    from arena_core.db import open_database
    from arena_core.db.benchmarks import library, load_spec

    engine = open_database(database_path)
    try:
        with engine.connect() as conn:
            rows = library(conn)
    finally:
        engine.dispose()
    chosen = []
    for prefix in prefixes:
        matches = [r for r in rows if r.benchmark_id.startswith(prefix)]
        if len(matches) != 1:
            raise UnknownBenchmark(
                f"{prefix!r} matches {len(matches)} benchmarks in {database_path}"
            )
        chosen += matches
    if latest:
        chosen += rows[-latest:]
    return [
        LibraryEntry(
            r.benchmark_id,
            load_spec(r),
            tuple(MeshBlob.model_validate(m) for m in orjson.loads(r.meshes)),
        )
        for r in chosen
    ]
