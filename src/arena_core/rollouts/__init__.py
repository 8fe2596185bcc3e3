"""Benchmark selections of batch jobs (rollouts, calibration), resolved from the recording.

The ``batcher`` service runs the batches; it asks for a selection over NATS
(``arena_core.query.SelectionQuery``), which the query responder answers with ``choose``.
"""

from arena_core.library import Target, UnknownBenchmark
from arena_core.rollouts.selection import Chosen, EmptySelection, choose, select_benchmarks

__all__ = [
    "Chosen",
    "EmptySelection",
    "Target",
    "UnknownBenchmark",
    "choose",
    "select_benchmarks",
]
