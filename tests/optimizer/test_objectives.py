"""What a regression batch's objectives keep: latency to the millisecond (an offline
solve's fraction of a second is not rounded to zero), compared on a coarse scale."""

from __future__ import annotations

from arena_core.events.profiles import Objectives
from optimizer.evaluate import Solve, summarize
from optimizer.select import Scored, coarse, front


def test_a_fraction_of_a_second_of_latency_is_kept() -> None:
    solves = [Solve("a", solved=True, latency_s=0.031), Solve("b", solved=False, latency_s=0.05)]
    assert summarize(solves).latency_s == 0.041


def _scored(pid: str, latency_s: float, tokens: float = 100.0) -> Scored:
    return Scored(
        pid, Objectives(success=0.5, cost_usd=0.0, tokens=tokens, latency_s=latency_s,
                        simulations=9.0),
    )  # fmt: skip


def test_wall_clock_noise_does_not_reorder_a_front_but_a_real_difference_does() -> None:
    assert (coarse(12.34), coarse(0.0437), coarse(0.0)) == (12.0, 0.044, 0.0)
    # 12.31 s against 12.44 s is noise: neither dominates the other.
    assert front([_scored("a", 12.31), _scored("b", 12.44)]) == ["a", "b"]
    # Twice the wall time for the same success and tokens is dominated.
    assert front([_scored("a", 12.3), _scored("b", 24.6)]) == ["a"]
