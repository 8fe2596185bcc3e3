"""Request/response over events, correlated by causation id."""

from __future__ import annotations

import pytest

from arena_core.bus import Bus, RequestFailed, RequestTimeout
from arena_core.events import Envelope
from arena_core.settings import Settings
from tests.support.work import WorkCompleted, WorkRequested, WorkService


async def test_request_returns_the_reply_caused_by_the_request(
    bus: Bus, settings: Settings
) -> None:
    async with WorkService(bus, settings).running():
        request = Envelope.new(WorkRequested(n=7))
        reply = await bus.request(request, [WorkCompleted], timeout=10)
    assert reply.causation_id == request.id
    assert reply.run_id == request.run_id
    assert reply.payload.n == 7


async def test_concurrent_requests_each_get_their_own_reply(bus: Bus, settings: Settings) -> None:
    import asyncio

    async with WorkService(bus, settings).running():
        replies = await asyncio.gather(
            *(
                bus.request(
                    Envelope.new(WorkRequested(n=i, sleep_s=0.01 * (i % 3))),
                    [WorkCompleted],
                    timeout=10,
                )
                for i in range(20)
            )
        )
    assert [r.payload.n for r in replies] == list(range(20))


async def test_request_without_a_reply_times_out_with_a_clear_error(bus: Bus) -> None:
    with pytest.raises(RequestTimeout, match=r"test.work.completed.*within 0.3s"):
        await bus.request(Envelope.new(WorkRequested(n=1)), [WorkCompleted], timeout=0.3)


async def test_request_rejected_by_the_service_raises_request_failed(
    bus: Bus, settings: Settings
) -> None:
    async with WorkService(bus, settings).running():
        with pytest.raises(RequestFailed) as failed:
            await bus.request(Envelope.new(WorkRequested(n=-1)), [WorkCompleted], timeout=10)
    assert failed.value.reply.type == "error.invalid_message"
    assert failed.value.reply.payload.reason == "negative_job"
