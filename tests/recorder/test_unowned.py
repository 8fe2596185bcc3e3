"""A message on a subject no service consumes is answered with error.invalid_message."""

from __future__ import annotations

from typing import ClassVar

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus, RequestFailed
from arena_core.events import Envelope, Payload
from arena_core.recorder import RecorderService
from tests.recorder.recording import SampleNote
from tests.support.stream import wait_for


class FrobRequested(Payload):
    """A job type no service registered (so none consumes its subject)."""

    EVENT_TYPE: ClassVar[str] = "frob.job.requested"
    n: int


async def test_a_request_of_an_unknown_type_fails_at_once_instead_of_timing_out(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    request = Envelope.new(FrobRequested(n=1))

    with pytest.raises(RequestFailed) as raised:
        await bus.request(request, [SampleNote], timeout=30)

    error = raised.value.reply
    assert error.causation_id == request.id
    assert error.payload.reason == "unknown_type"
    assert error.payload.consumer == "recorder"
    assert error.payload.subject == "arena.frob.job.requested"


async def test_garbage_on_an_unowned_subject_is_reported_once(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await bus.publish_raw("arena.nobody.listens", b"{not json")
    (error,) = await wait_for(bus, "arena.error.invalid_message", 1, timeout=10)

    assert error.payload.reason == "not_json"
    assert error.payload.raw == "{not json"
