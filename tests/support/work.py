"""A small work service used by the bus tests (registered only in test processes)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from arena_core.bus import Delivery, HandlerRejected
from arena_core.events import Payload, event
from arena_core.service import Service, handles


@event("test.work.requested")
class WorkRequested(Payload):
    """Do job ``n``; optionally sleep (or hold the event loop) on the first delivery, fail
    the first attempts, or drop marker files."""

    n: int
    sleep_s: float = 0.0
    block_s: float = 0.0
    fail_times: int = 0
    marker_dir: str | None = None


@event("test.work.completed")
class WorkCompleted(Payload):
    """Job ``n`` is done."""

    n: int
    worker: str
    attempt: int


class WorkService(Service):
    name = "testwork"
    default_concurrency = 16

    @handles(WorkRequested)
    async def work(self, delivery: Delivery[WorkRequested]) -> None:
        job = delivery.payload
        if job.n < 0:
            raise HandlerRejected(f"job number must be >= 0, got {job.n}", reason="negative_job")
        if job.marker_dir:
            Path(job.marker_dir, f"{job.n}.{os.getpid()}.started").touch()
        if job.sleep_s and delivery.attempt == 1:
            await asyncio.sleep(job.sleep_s)
        if job.block_s and delivery.attempt == 1:
            time.sleep(job.block_s)  # noqa: ASYNC251 - CPU-bound work that never yields
        if delivery.attempt <= job.fail_times:
            raise RuntimeError(f"transient failure on attempt {delivery.attempt}")
        await delivery.emit(WorkCompleted(n=job.n, worker=self.instance, attempt=delivery.attempt))
        if job.marker_dir:
            Path(job.marker_dir, f"{job.n}.{os.getpid()}.done").touch()
