"""One batch job as it runs: its events, published with ids derived from the job, and its
child solve jobs, a few at a time, each with a deadline.

Every child reads the skills recorded when the batch began (``SolveJobRequested.skills``):
the batch measures one world, and rollouts of one benchmark share their prompt.

Every event a batch publishes has a fixed place (``slot``) among the job's derived ids, so
a redelivered batch re-publishes the same ids: JetStream drops the copies, and a child
whose answer is already on the stream is answered from there (``Bus.request``) instead of
being solved twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arena_core.bus import Bus, RequestFailed, RequestTimeout
from arena_core.events import AgentRef, Envelope, Payload, derived_id
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed, SolveJobRequested
from arena_core.query import BenchmarkTarget, QueryFailed, TargetsQuery, ask

ANSWER_SLOT = 0
"""The job's answer (completed or failed)."""
REJECTION_SLOT = 1
"""The first ``batch.selection.rejected`` (one per rejected id or family)."""
RESULT_SLOT = 10_000
"""The first per-benchmark result (``benchmark.calibrated`` ...), by benchmark index."""
CHILD_SLOT = 100_000
"""The first child solve job, by child index."""


@dataclass(frozen=True)
class Ended:
    """How one child solve ended."""

    request: Envelope[SolveJobRequested]
    answer: SolveJobCompleted | None
    """The outcome; None when the solve produced none."""
    failed: str | None = None
    """Why there is no outcome (``solve.job.failed``, rejected, no answer in time)."""


class Batch:
    """A batch job being run by ``agent`` on ``bus``."""

    def __init__(
        self,
        bus: Bus,
        job: Envelope[Any],
        agent: AgentRef,
        *,
        concurrency: int,
        timeout_s: float,
        skills: tuple[str, ...],
    ) -> None:
        self.bus = bus
        self.job = job
        self.agent = agent
        self.timeout_s = timeout_s
        self.skills = skills
        """The skill versions every child may read: those recorded when the batch began."""
        self._gate = asyncio.Semaphore(concurrency)
        self.benchmarks = asyncio.Semaphore(concurrency)
        """Benchmarks whose targets are held at once (their children share ``_gate``)."""

    async def emit(self, payload: Payload, slot: int) -> Envelope[Any]:
        """Publish an event of the job at its fixed ``slot``."""
        envelope = self.job.follow(payload, agent=self.agent, id=derived_id(self.job.id, slot))
        await self.bus.publish(envelope)
        return envelope

    async def target(self, benchmark_id: str) -> BenchmarkTarget | str:
        """The benchmark as the team may see it, or why it cannot be had."""
        try:
            answer = await ask(self.bus, TargetsQuery(benchmark_ids=(benchmark_id,)))
        except QueryFailed as exc:
            return str(exc)[:2000]
        if not answer.targets:
            return f"{benchmark_id} left the library"
        return answer.targets[0]

    def child(self, index: int, request: SolveJobRequested) -> Envelope[SolveJobRequested]:
        """The ``index``-th child: its own thread, caused by the job, reading the batch's
        skills (what one child teaches does not change the prompt of the next)."""
        return Envelope.new(
            request.model_copy(update={"skills": self.skills}),
            id=derived_id(self.job.id, CHILD_SLOT + index),
            run_id=self.job.run_id,
            causation_id=self.job.id,
            agent=self.agent,
        )

    async def rollouts(
        self, index: int, target: BenchmarkTarget, seeds: Sequence[int], **limits: Any
    ) -> list[Ended]:
        """Solve ``target`` once per rollout seed, all at once (as slots free up): the
        children of the batch's ``index``-th benchmark, with the solve ``limits``
        (``max_sim_calls``, ``max_submissions``)."""
        k = len(seeds)
        children = [
            self.child(
                index * k + r,
                SolveJobRequested(
                    benchmark_id=target.benchmark_id, spec=target.spec, meshes=target.meshes,
                    key=f"{self.job.id}-{index}-{r}", parent_job_id=self.job.id,
                    rollout_seed=seed, **limits,
                ),
            )
            for r, seed in enumerate(seeds)
        ]  # fmt: skip
        return list(await asyncio.gather(*(self.solve(c) for c in children)))

    async def solve(self, child: Envelope[SolveJobRequested]) -> Ended:
        """Run one child (when a slot is free) and wait for its answer."""
        async with self._gate:
            try:
                reply = await self.bus.request(
                    child, [SolveJobCompleted, SolveJobFailed], timeout=self.timeout_s
                )
            except RequestTimeout:
                return Ended(child, None, f"no answer within {self.timeout_s:g} s")
            except RequestFailed as exc:
                return Ended(child, None, f"rejected: {exc}"[:500])
        answer = reply.payload
        if isinstance(answer, SolveJobFailed):
            return Ended(child, None, f"{answer.reason}: {answer.detail}"[:500])
        return Ended(child, answer)
