"""The prompts of an RL run: one conversational row per benchmark (TRL's prompt-only type)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arena_core.events.selection import BenchmarkSelection
from arena_core.rollouts import Target, select_benchmarks

INSTRUCTION = (
    "Design parts that solve this physics benchmark within its cost and mass limits. "
    "Preview designs with the simulate tool as often as you like, then submit your best."
)
"""The user message each rollout starts from (``reset`` appends the benchmark to it)."""


def row(target: Target) -> dict[str, Any]:
    """The dataset row of one benchmark: the prompt and what ``reset`` needs."""
    return {
        "prompt": [{"role": "user", "content": INSTRUCTION}],
        "benchmark_id": target.benchmark_id,
        "spec": target.spec.model_dump_json(),
    }


def dataset(ids: Sequence[str] = (), *, engine: Any = None) -> list[dict[str, Any]]:
    """Rows for the benchmarks ``ids`` (library ids need ``engine``, the recording)."""
    return [row(t) for t in select_benchmarks(engine, BenchmarkSelection(benchmark_ids=tuple(ids)))]
