"""Handlers that run longer than ack_wait keep their message with heartbeats."""

from __future__ import annotations

import pytest

from arena_core.bus import Bus, heartbeat
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


async def test_a_handler_holding_the_loop_longer_than_ack_wait_keeps_its_message(
    bus: Bus, settings: Settings
) -> None:
    # Heartbeats come from their own thread: a handler that does not yield for 3.5 s
    # (a tool call's CPU work on a loaded machine) is not raced by a second delivery.
    settings = settings.model_copy(update={"ack_wait_s": 1.0})
    async with WorkService(bus, settings).running():
        reply = await bus.request(
            Envelope.new(WorkRequested(n=1, block_s=3.5)), [WorkCompleted], timeout=15
        )
    assert reply.payload.attempt == 1
    info = await bus.js.consumer_info(bus.stream.name, "testwork")
    assert info.delivered.consumer_seq == 1  # every delivery, redeliveries included


async def test_a_loop_stalled_past_the_limit_gives_its_message_back(
    bus: Bus, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heartbeat, "LOOP_STALL_LIMIT_S", 1.0)
    settings = settings.model_copy(update={"ack_wait_s": 1.0})
    async with WorkService(bus, settings).running():
        await bus.request(
            Envelope.new(WorkRequested(n=1, block_s=4.0)), [WorkCompleted], timeout=15
        )
    info = await bus.js.consumer_info(bus.stream.name, "testwork")
    assert info.delivered.consumer_seq >= 2  # the stalled worker's job was delivered again
