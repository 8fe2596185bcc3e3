"""An envelope id published twice (after the duplicate window) is one event."""

from __future__ import annotations

import orjson
from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db import Message
from arena_core.events import Envelope, encode
from arena_core.recorder import RecorderService
from arena_core.recorder.writer import DUPLICATE_ID
from tests.recorder.recording import SampleNote, settle


async def test_a_repeated_envelope_id_is_recorded_once_as_an_event(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    first = Envelope.new(SampleNote(text="first body"), run_id="run-dup")
    again = first.model_copy(update={"payload": SampleNote(text="second body")})
    subject, body, headers = encode(again)
    del headers["Nats-Msg-Id"]  # as if JetStream's duplicate window had passed
    first_seq = await bus.publish(first)
    again_seq = await bus.publish_raw(subject, body, headers)
    await settle(bus, engine)

    with engine.connect() as conn:
        rows = conn.execute(select(Message).where(Message.run_id == "run-dup")).all()
    by_seq = {row.seq: row for row in rows}
    assert sorted(by_seq) == [first_seq, again_seq]  # no gap in the log
    assert by_seq[first_seq].valid
    assert orjson.loads(by_seq[first_seq].body)["payload"]["text"] == "first body"
    assert not by_seq[again_seq].valid
    assert by_seq[again_seq].error_reason == DUPLICATE_ID
    assert str(first_seq) in (by_seq[again_seq].error_detail or "")
    assert recorder.writer.duplicates == 1
