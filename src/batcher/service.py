"""The ``batcher`` service: ``rollout.job.requested`` and ``calibrate.job.requested``.

A batch job names its benchmarks by a selection (ids, families, declared or measured
difficulty, "failed before"); the batcher resolves it by asking the recording over NATS
(``arena_core.query``), so it runs on any node with an empty ``ARENA_HOME``. It publishes
one child ``solve.job.requested`` per benchmark and rollout seed (run by whichever
engineering teams are up), collects their answers and answers the job with the figures:
per-rollout rewards, or per-benchmark pass@1, pass@K and AUCCESS. What of a selection
names nothing is a ``batch.selection.rejected``; the rest of the batch goes on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from arena_core.bus import Delivery
from arena_core.events.calibration import CalibrateJobRequested
from arena_core.events.rollouts import RolloutJobRequested
from arena_core.service import Service, handles
from arena_core.state import SharedState
from batcher.calibration import run_calibration
from batcher.children import ANSWER_SLOT, Batch
from batcher.rollouts import run_rollouts


class BatcherService(Service):
    """Runs batch jobs as children on the bus."""

    name: ClassVar[str] = "batcher"
    default_concurrency: ClassVar[int] = 2

    async def setup(self) -> None:
        self.state: SharedState = self.container.state()

    async def _batch(self, delivery: Delivery[Any], concurrency: int, timeout_s: float) -> Batch:
        pinned = tuple(s.id for s in await self.state.all_skills())
        return Batch(
            self.bus,
            delivery.envelope,
            self.agent,
            concurrency=concurrency,
            timeout_s=timeout_s,
            skills=pinned,
        )

    @handles(RolloutJobRequested)
    async def on_rollout(self, delivery: Delivery[RolloutJobRequested]) -> None:
        job = delivery.payload
        batch = await self._batch(delivery, job.concurrency, job.solve_timeout_s)
        await batch.emit(await run_rollouts(batch, job), ANSWER_SLOT)

    @handles(CalibrateJobRequested)
    async def on_calibrate(self, delivery: Delivery[CalibrateJobRequested]) -> None:
        job = delivery.payload
        batch = await self._batch(delivery, job.concurrency, job.solve_timeout_s)
        await batch.emit(await run_calibration(batch, job), ANSWER_SLOT)
