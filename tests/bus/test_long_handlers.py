"""Handlers that run longer than ack_wait keep their message with heartbeats."""

from __future__ import annotations

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.settings import Settings
from tests.support.stream import stored
from tests.support.work import WorkCompleted, WorkRequested, WorkService


async def test_a_handler_longer_than_ack_wait_is_not_redelivered(
    bus: Bus, settings: Settings
) -> None:
    settings = settings.model_copy(update={"ack_wait_s": 1.0})
    async with WorkService(bus, settings).running():
        reply = await bus.request(
            Envelope.new(WorkRequested(n=1, sleep_s=3.5)), [WorkCompleted], timeout=15
        )
    assert reply.payload.attempt == 1
    assert len(await stored(bus, "arena.test.work.completed")) == 1
    info = await bus.js.consumer_info(bus.stream.name, "testwork")
    assert info.num_redelivered == 0
