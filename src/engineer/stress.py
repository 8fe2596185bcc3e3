"""The stress test of a design, shared by the engineer's previews and the critic."""

from __future__ import annotations

from arena_core.spec import BenchmarkSpec, Jitter

STRESS_COPIES_FACTOR = 2
"""A stress test simulates this many times the benchmark's jittered copies."""


def stress_spec(spec: BenchmarkSpec) -> BenchmarkSpec:
    """The benchmark with more jittered copies (the first ones are the official copies)."""
    copies = min(64, max(spec.jitter.copies * STRESS_COPIES_FACTOR, 4))
    return spec.model_copy(
        update={"jitter": Jitter(**{**spec.jitter.model_dump(), "copies": copies})}
    )


def sim_seconds(spec: BenchmarkSpec) -> float:
    """Simulated seconds one run of ``spec`` costs (every copy, the full duration)."""
    return spec.jitter.copies * spec.duration_s
