"""Running a rollout batch over the bus: the batch job, its child solve jobs, the answer.

Each child is a job of its own thread (its own correlation id), so every rollout is its
own set of conversations with its own graded reward; the batch is its parent
(``parent_job_id``) and its cause.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from arena_core.bus import Bus, RequestFailed
from arena_core.events import Envelope
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed, SolveJobRequested
from arena_core.events.rollouts import RolloutJobCompleted, RolloutJobRequested, RolloutResult
from arena_core.rollouts.selection import Target

Progress = Callable[[RolloutResult], None]
"""Called as each rollout ends."""


def solve_requests(
    batch: Envelope[RolloutJobRequested], targets: Sequence[Target]
) -> list[Envelope[SolveJobRequested]]:
    """The batch's child solve jobs: for each benchmark, one per rollout seed."""
    asked = batch.payload
    out = []
    for index, target in enumerate(targets):
        for k in range(asked.k):
            child = SolveJobRequested(
                benchmark_id=target.benchmark_id,
                spec=target.spec,
                meshes=target.meshes,
                key=f"{batch.id}-{index}-{k}",
                parent_job_id=batch.id,
                max_submissions=asked.max_submissions,
                max_sim_calls=asked.max_sim_calls,
                rollout_seed=asked.seed + k,
            )
            out.append(Envelope.new(child, run_id=batch.run_id, causation_id=batch.id))
    return out


async def run_rollouts(
    bus: Bus,
    request: RolloutJobRequested,
    targets: Sequence[Target],
    *,
    run_id: str | None = None,
    concurrency: int = 4,
    timeout: float = 900.0,
    progress: Progress = lambda _r: None,
) -> Envelope[RolloutJobCompleted]:
    """Publish the batch and its children, wait for every child, publish the summary."""
    started = time.perf_counter()
    batch = Envelope.new(request, run_id=run_id)
    await bus.publish(batch)
    gate = asyncio.Semaphore(concurrency)

    async def one(envelope: Envelope[SolveJobRequested]) -> RolloutResult:
        async with gate:
            try:
                reply = await bus.request(
                    envelope, [SolveJobCompleted, SolveJobFailed], timeout=timeout
                )
                answer = reply.payload
            except (RequestFailed, TimeoutError) as exc:
                answer = None
                failed: str | None = f"{type(exc).__name__}: {exc}"[:500]
            else:
                failed = (
                    f"{answer.reason}: {answer.detail}"[:500]
                    if isinstance(answer, SolveJobFailed)
                    else None
                )
        result = RolloutResult(
            benchmark_id=envelope.payload.benchmark_id,
            rollout_seed=envelope.payload.rollout_seed,
            job_id=envelope.id,
            solved=isinstance(answer, SolveJobCompleted) and answer.solved,
            failed=failed,
        )
        progress(result)
        return result

    results = await asyncio.gather(*(one(e) for e in solve_requests(batch, targets)))
    done = batch.follow(
        RolloutJobCompleted(
            benchmarks=len(targets),
            rollouts=len(results),
            solved=sum(r.solved for r in results),
            failed=sum(r.failed is not None for r in results),
            wall_s=round(time.perf_counter() - started, 3),
            results=tuple(results),
        )
    )
    await bus.publish(done)
    return done
