"""A rollout batch: K solves of each selected benchmark with rollout seeds seed..seed+K-1,
each its own solve job (its own thread and conversations) with its graded reward."""

from __future__ import annotations

import time
from functools import partial

from arena_core.events import Payload
from arena_core.events.rollouts import (
    RolloutJobCompleted,
    RolloutJobFailed,
    RolloutJobRequested,
    RolloutResult,
)
from arena_core.query import SelectedBenchmark
from batcher.children import Batch, Ended
from batcher.selection import NothingToRun, run_selected


async def run_rollouts(batch: Batch, job: RolloutJobRequested) -> Payload:
    """Run the batch; its answer (``rollout.job.completed`` or ``failed``)."""
    started = time.perf_counter()
    ran = await run_selected(batch, job, job.k, partial(_benchmark, batch, job))
    if isinstance(ran, NothingToRun):
        return ran.failure(RolloutJobFailed)
    chosen, groups = ran
    results = [r for group in groups for r in group]
    return RolloutJobCompleted(
        benchmarks=len(chosen.benchmarks),
        rollouts=len(results),
        solved=sum(r.solved for r in results),
        failed=sum(r.failed is not None for r in results),
        wall_s=round(time.perf_counter() - started, 3),
        results=tuple(results),
        rejected=chosen.rejected,
    )


async def _benchmark(
    batch: Batch, job: RolloutJobRequested, index: int, chosen: SelectedBenchmark
) -> list[RolloutResult]:
    async with batch.benchmarks:
        target = await batch.target(chosen.benchmark_id)
        if isinstance(target, str):
            return [
                RolloutResult(
                    benchmark_id=chosen.benchmark_id,
                    rollout_seed=job.seed + r,
                    job_id="",
                    solved=False,
                    failed=target,
                )
                for r in range(job.k)
            ]
        ended = await batch.rollouts(
            index, target, [job.seed + r for r in range(job.k)],
            max_submissions=job.max_submissions, max_sim_calls=job.max_sim_calls,
        )  # fmt: skip
    return [_result(e) for e in ended]


def _result(ended: Ended) -> RolloutResult:
    asked, answer = ended.request.payload, ended.answer
    return RolloutResult(
        benchmark_id=asked.benchmark_id,
        rollout_seed=asked.rollout_seed,
        job_id=ended.request.id,
        solved=answer is not None and answer.solved,
        reward=answer.reward if answer is not None else None,
        failed=ended.failed,
    )
