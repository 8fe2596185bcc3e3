"""Rollouts: K solves of each chosen benchmark, as one batch job with child solve jobs."""

from arena_core.rollouts.batch import Progress, run_rollouts, solve_requests
from arena_core.rollouts.selection import (
    EmptySelection,
    Selection,
    Target,
    UnknownBenchmark,
    select_benchmarks,
)

__all__ = [
    "EmptySelection",
    "Progress",
    "Selection",
    "Target",
    "UnknownBenchmark",
    "run_rollouts",
    "select_benchmarks",
    "solve_requests",
]
