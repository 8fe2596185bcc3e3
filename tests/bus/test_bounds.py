"""Ids and header values are bounded in the envelope: an oversized one is bad input."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from arena_core.bus import Bus
from arena_core.events import Envelope, encode
from arena_core.events.envelope import MAX_ID_LENGTH, header_id
from arena_core.settings import Settings
from tests.support.stream import wait_for
from tests.support.work import WorkCompleted, WorkRequested, WorkService

SUBJECT = "arena.test.work.requested"
HUGE = "r" * 200_000


@pytest.mark.parametrize("field", ["id", "run_id", "correlation_id", "causation_id"])
@pytest.mark.parametrize("value", [HUGE, "has space", "line\nbreak", ""], ids=repr)
def test_an_envelope_refuses_ids_that_cannot_be_header_values(field: str, value: str) -> None:
    data = orjson.loads(encode(Envelope.new(WorkRequested(n=1)))[1])
    data[field] = value

    with pytest.raises(ValidationError):
        Envelope[WorkRequested].model_validate(data)


def test_an_id_at_the_limit_is_fine() -> None:
    run_id = "r" * MAX_ID_LENGTH

    assert Envelope.new(WorkRequested(n=1), run_id=run_id).run_id == run_id
    assert header_id(run_id) == run_id
    assert header_id(run_id + "r") is None


async def test_an_oversized_run_id_is_rejected_at_once_with_an_error_event(
    bus: Bus, settings: Settings
) -> None:
    data = orjson.loads(encode(Envelope.new(WorkRequested(n=1)))[1])
    data["run_id"] = HUGE
    body = orjson.dumps(data)
    headers = {"Arena-Type": "test.work.requested", "Arena-Run-Id": HUGE[:60_000]}
    async with WorkService(bus, settings).running() as service:
        await bus.publish_raw(SUBJECT, body, headers)
        (error,) = await wait_for(bus, "arena.error.invalid_message", 1, timeout=10)
        reply = await bus.request(Envelope.new(WorkRequested(n=2)), [WorkCompleted], timeout=10)
        health = service.health()

    assert error.payload.reason == "schema_violation"
    assert "run_id" in error.payload.detail
    assert len(error.run_id) <= MAX_ID_LENGTH
    assert reply.payload.n == 2
    assert (health.rejected, health.failed) == (1, 0)
