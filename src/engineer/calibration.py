"""Calibration: a benchmark's difficulty measured by the team, not just declared.

A calibration job solves every benchmark K times (rollout seeds 0 .. K-1) under one
simulation budget, as child solve jobs of the calibration on the bus, and publishes per
benchmark pass@1, pass@K and an AUCCESS-style area under its success-vs-simulations
curve. The recorder folds ``benchmark.calibrated`` into the library row.

async with services_in_process(settings, TEAM) as bus:
    report = await calibrate(bus, targets, rollouts=4, max_sim_calls=30)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from arena_core.bus import Bus
from arena_core.events import Envelope, Payload
from arena_core.events.calibration import (
    BenchmarkCalibrated,
    BenchmarkCalibrationFailed,
    CalibrateJobCompleted,
    CalibrateJobRequested,
    CalibrationFailure,
)
from arena_core.events.engineer import SolveJobCompleted
from engineer.solving import SolveTarget, request_for, solve

CONCURRENT_SOLVES = 4
"""Solves in flight at once."""


def auccess(sims_to_solve: Sequence[int | None], budget: int) -> float:
    """Area under success(b) for b = 1 .. budget, each b weighted log(b+1) - log(b).

    ``success(b)`` is the share of rollouts solved within b simulations; the weights
    (PHYRE's AUCCESS) make a success after few simulations worth more than a late one.
    """
    if not sims_to_solve or budget < 1:
        return 0.0
    total = area = 0.0
    for b in range(1, budget + 1):
        weight = math.log(b + 1) - math.log(b)
        solved = sum(1 for s in sims_to_solve if s is not None and s <= b)
        area += weight * solved / len(sims_to_solve)
        total += weight
    return round(area / total, 6)


def figures(
    target: SolveTarget, outcomes: Sequence[SolveJobCompleted], budget: int
) -> BenchmarkCalibrated:
    """The calibration figures of one benchmark from its K solve outcomes."""
    sims = tuple(min(o.sim_calls, budget) if o.solved else None for o in outcomes)
    solved = sum(s is not None for s in sims)
    return BenchmarkCalibrated(
        benchmark_id=target.benchmark_id, family=target.spec.family,
        difficulty=target.spec.difficulty, rollouts=len(outcomes), max_sim_calls=budget,
        solved=solved, pass_at_1=round(solved / len(outcomes), 6),
        pass_at_k=1.0 if solved else 0.0, auccess=auccess(sims, budget), sims_to_solve=sims,
    )  # fmt: skip


@dataclass
class CalibrationReport:
    """What a calibration measured."""

    job_id: str
    calibrated: list[BenchmarkCalibrated] = field(default_factory=list)
    failed: list[BenchmarkCalibrationFailed] = field(default_factory=list)


async def calibrate(
    bus: Bus,
    targets: Sequence[SolveTarget],
    *,
    rollouts: int,
    max_sim_calls: int,
    unknown: Sequence[str] = (),
    run_id: str | None = None,
    timeout: float = 1800.0,
    on_solve: Callable[[], None] | None = None,
) -> CalibrationReport:
    """Run a calibration job: K solves per target as children, figures on the bus
    (``on_solve`` is told of each solve that ends).

    ``unknown`` names requested benchmarks that are not in the library: each gets a
    ``benchmark.calibration.failed`` and the batch goes on."""
    ids = tuple(t.benchmark_id for t in targets) + tuple(unknown)
    request: Envelope[Any] = Envelope.new(
        CalibrateJobRequested(benchmark_ids=ids, rollouts=rollouts, max_sim_calls=max_sim_calls),
        run_id=run_id,
    )
    await bus.publish(request)
    report = CalibrationReport(job_id=request.id)
    started = time.perf_counter()
    gate = asyncio.Semaphore(CONCURRENT_SOLVES)

    async def emit(payload: Payload) -> None:
        await bus.publish(request.follow(payload))

    async def rollout(target: SolveTarget, seed: int) -> object:
        solve_request = request_for(
            target, key=f"calibrate-{request.id}-{target.benchmark_id}-{seed}",
            parent_job_id=request.id, max_sim_calls=max_sim_calls, rollout_seed=seed,
        )  # fmt: skip
        async with gate:
            outcome = await solve(bus, solve_request, run_id=request.run_id, timeout=timeout)
        if on_solve is not None:
            on_solve()
        return outcome

    async def one(target: SolveTarget) -> None:
        outcomes = await asyncio.gather(*(rollout(target, k) for k in range(rollouts)))
        done = [o for o in outcomes if isinstance(o, SolveJobCompleted)]
        if len(done) < len(outcomes):
            bad = next(o for o in outcomes if not isinstance(o, SolveJobCompleted))
            failure = BenchmarkCalibrationFailed(
                benchmark_id=target.benchmark_id, reason=CalibrationFailure.solve_failed,
                detail=f"{len(outcomes) - len(done)} of {rollouts} rollouts had no outcome: "
                f"{getattr(bad, 'detail', bad)}"[:4000],
            )  # fmt: skip
            report.failed.append(failure)
            await emit(failure)
            return
        calibrated = figures(target, done, max_sim_calls)
        report.calibrated.append(calibrated)
        await emit(calibrated)

    for name in unknown:
        failure = BenchmarkCalibrationFailed(
            benchmark_id=name[:128] or "?", reason=CalibrationFailure.unknown_benchmark,
            detail=f"no benchmark {name!r} in the library",
        )  # fmt: skip
        report.failed.append(failure)
        await emit(failure)
    await asyncio.gather(*(one(t) for t in targets))
    measured = report.calibrated
    await emit(
        CalibrateJobCompleted(
            calibrated=len(measured), failed=len(report.failed),
            pass_at_1=round(sum(c.pass_at_1 for c in measured) / len(measured), 6)
            if measured else 0.0,
            wall_s=round(time.perf_counter() - started, 3),
        )
    )  # fmt: skip
    return report
