"""A worker fetches for its free slots even when they are fewer than half a batch."""

from __future__ import annotations

import asyncio
from pathlib import Path

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.settings import Settings
from tests.support.stream import stored
from tests.support.work import WorkCompleted, WorkRequested, WorkService


async def test_one_free_slot_takes_a_job_while_long_handlers_hold_the_others(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    # Concurrency 4: three long jobs leave one free slot, fewer than half a batch (2).
    async with WorkService(bus, settings, concurrency=4).running():
        for n in range(3):
            job = WorkRequested(n=n, sleep_s=20.0, marker_dir=str(tmp_path))
            await bus.publish(Envelope.new(job))
        for _ in range(1200):  # until the three have started
            if len(list(tmp_path.glob("*.started"))) == 3:
                break
            await asyncio.sleep(0.05)
        reply = await bus.request(Envelope.new(WorkRequested(n=3)), [WorkCompleted], timeout=15)
        finished_first = [e.payload.n for e in await stored(bus, "arena.test.work.completed")]
    assert reply.payload.n == 3
    assert finished_first == [3]  # the long jobs were still running when it was done
