"""The benchmark library: ``benchmarks`` rows from ``benchmark.created`` and references."""

from __future__ import annotations

from typing import Any

from arena_core.db.benchmarks import benchmarks, fold
from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.benchmark import BenchmarkCreated, BenchmarkReferenceRecorded
from arena_core.events.calibration import BenchmarkCalibrated


class BenchmarksProjection(Projection):
    """Accepted benchmarks as solvers may see them (see ``arena_core.db.benchmarks``)."""

    name = "benchmarks"
    events = (BenchmarkCreated, BenchmarkReferenceRecorded, BenchmarkCalibrated)
    tables = (benchmarks,)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        fold(self.conn, seq, env)
