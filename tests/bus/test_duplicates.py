"""A request repeated with the same id finds the answer already on the stream."""

from __future__ import annotations

import pytest

from arena_core.bus import Bus, RequestFailed, RequestTimeout
from arena_core.events import Envelope
from arena_core.events.errors import InvalidMessage
from tests.support.work import WorkCompleted, WorkRequested


async def test_a_duplicate_request_returns_the_answer_sent_before(bus: Bus) -> None:
    # A handler asked once, got its answer, died before acking and asks again.
    request = Envelope.new(WorkRequested(n=11))
    first = await bus.publish(request)
    answer = request.follow(WorkCompleted(n=11, worker="w", attempt=1))
    await bus.publish(Envelope.new(WorkRequested(n=99)))  # unrelated traffic between them
    await bus.publish(answer)

    reply = await bus.request(request, [WorkCompleted], timeout=5)

    assert reply.id == answer.id
    assert await bus.publish(request) == first


async def test_a_duplicate_request_answered_with_an_error_raises_it(bus: Bus) -> None:
    request = Envelope.new(WorkRequested(n=12))
    await bus.publish(request)
    error = InvalidMessage(
        reason="negative_job", detail="no", subject=request.subject, raw="", raw_size=0
    )
    await bus.publish(request.follow(error))

    with pytest.raises(RequestFailed) as raised:
        await bus.request(request, [WorkCompleted], timeout=5)

    assert raised.value.reply.payload.reason == "negative_job"


async def test_a_duplicate_request_not_yet_answered_still_waits(bus: Bus) -> None:
    request = Envelope.new(WorkRequested(n=13))
    await bus.publish(request)

    with pytest.raises(RequestTimeout):
        await bus.request(request, [WorkCompleted], timeout=0.5)
