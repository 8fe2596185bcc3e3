"""Handlers that run longer than ack_wait keep their message with heartbeats."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from arena_core.bus import Bus, heartbeat
from arena_core.bus.consumer import PullWorker
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


async def test_a_message_that_arrives_after_its_fetch_is_held_not_delivered_twice(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    # A pull request outlives its fetch by a moment: what the server sends then waits in
    # the subscription until the worker fetches again, which a busy worker does not do.
    settings = settings.model_copy(update={"ack_wait_s": 1.0})
    async with WorkService(bus, settings, concurrency=2).running() as service:
        for n in (0, 1):  # both slots busy, then free at once: the next fetch asks for 2
            job = WorkRequested(n=n, sleep_s=4.0, marker_dir=str(tmp_path))
            await bus.publish(Envelope.new(job))
        for _ in range(600):
            if len(list(tmp_path.glob("*.started"))) == 2:
                break
            await asyncio.sleep(0.05)
        worker = service._worker
        assert isinstance(worker, PullWorker)
        pull = orjson.dumps({"batch": 1, "expires": 5_000_000_000})  # what fetch sends
        await bus.nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{bus.stream.name}.testwork",
            pull,
            reply=worker._sub._deliver,
        )
        reply = await bus.request(Envelope.new(WorkRequested(n=2)), [WorkCompleted], timeout=30)
        await asyncio.sleep(2)  # a second copy, if any, has run by now
    assert reply.payload.n == 2
    info = await bus.js.consumer_info(bus.stream.name, "testwork")
    assert info.delivered.consumer_seq == 3  # each job once: the late one was held, heartbeated
