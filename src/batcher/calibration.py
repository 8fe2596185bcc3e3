"""A calibration batch: a benchmark's difficulty measured by the team, not just declared.

Every selected benchmark is solved K times (rollout seeds 0 .. K-1) under one simulation
budget, as child solve jobs; per benchmark the batch publishes pass@1, pass@K and an
AUCCESS-style area under its success-vs-simulations curve (``benchmark.calibrated``,
which the recorder folds into the library row), or ``benchmark.calibration.failed``
when a rollout produced no outcome; the rest of the batch goes on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from functools import partial

from arena_core.events import Payload
from arena_core.events.calibration import (
    BenchmarkCalibrated,
    BenchmarkCalibrationFailed,
    CalibrateJobCompleted,
    CalibrateJobFailed,
    CalibrateJobRequested,
    CalibrationFailure,
)
from arena_core.events.engineer import SolveJobCompleted
from arena_core.query import SelectedBenchmark
from batcher.children import RESULT_SLOT, Batch
from batcher.selection import NothingToRun, run_selected


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
    benchmark: SelectedBenchmark, outcomes: Sequence[SolveJobCompleted], budget: int
) -> BenchmarkCalibrated:
    """The calibration figures of one benchmark from its K solve outcomes."""
    sims = tuple(min(o.sim_calls, budget) if o.solved else None for o in outcomes)
    solved = sum(s is not None for s in sims)
    return BenchmarkCalibrated(
        benchmark_id=benchmark.benchmark_id,
        family=benchmark.family,
        difficulty=benchmark.difficulty,
        rollouts=len(outcomes),
        max_sim_calls=budget,
        solved=solved,
        pass_at_1=round(solved / len(outcomes), 6),
        pass_at_k=1.0 if solved else 0.0,
        auccess=auccess(sims, budget),
        sims_to_solve=sims,
    )


async def run_calibration(batch: Batch, job: CalibrateJobRequested) -> Payload:
    """Run the batch; its answer (``calibrate.job.completed`` or ``failed``)."""
    started = time.perf_counter()
    ran = await run_selected(batch, job, job.rollouts, partial(_benchmark, batch, job))
    if isinstance(ran, NothingToRun):
        return ran.failure(CalibrateJobFailed)
    chosen, found = ran
    measured = [f for f in found if isinstance(f, BenchmarkCalibrated)]
    failures = [f for f in found if isinstance(f, BenchmarkCalibrationFailed)]
    return CalibrateJobCompleted(
        calibrated=len(measured),
        failed=len(failures),
        pass_at_1=round(sum(c.pass_at_1 for c in measured) / len(measured), 6) if measured else 0.0,
        wall_s=round(time.perf_counter() - started, 3),
        results=tuple(measured),
        failures=tuple(failures),
        rejected=chosen.rejected,
    )


async def _benchmark(
    batch: Batch, job: CalibrateJobRequested, index: int, chosen: SelectedBenchmark
) -> BenchmarkCalibrated | BenchmarkCalibrationFailed:
    k = job.rollouts
    async with batch.benchmarks:
        target = await batch.target(chosen.benchmark_id)
        if isinstance(target, str):
            result: Payload = BenchmarkCalibrationFailed(
                benchmark_id=chosen.benchmark_id[:128],
                reason=CalibrationFailure.solve_failed,
                detail=target,
            )
        else:
            ended = await batch.rollouts(index, target, range(k), max_sim_calls=job.max_sim_calls)
            bad = [e for e in ended if e.answer is None]
            if bad:
                result = BenchmarkCalibrationFailed(
                    benchmark_id=chosen.benchmark_id[:128],
                    reason=CalibrationFailure.solve_failed,
                    detail=f"{len(bad)} of {k} rollouts had no outcome: {bad[0].failed}"[:4000],
                )
            else:
                done = [e.answer for e in ended if e.answer is not None]
                result = figures(chosen, done, job.max_sim_calls)
    await batch.emit(result, RESULT_SLOT + index)
    assert isinstance(result, BenchmarkCalibrated | BenchmarkCalibrationFailed)
    return result
