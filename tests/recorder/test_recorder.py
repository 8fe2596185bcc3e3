"""The recorder keeps every bus message, in stream order, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db import Message
from arena_core.db.tables import runs
from arena_core.events import Envelope, encode
from arena_core.recorder import RecorderService
from tests.recorder.recording import SampleNote, recorded_count, settle


async def test_every_published_message_becomes_one_row_with_envelope_columns(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    envs = [Envelope.new(SampleNote(text=f"note {i}"), run_id="run-1") for i in range(25)]
    seqs = await bus.publish_many(envs)
    await settle(bus, engine)
    with engine.connect() as conn:
        rows = conn.execute(select(Message).order_by(Message.seq)).all()
    mine = [r for r in rows if r.run_id == "run-1"]
    assert [r.seq for r in mine] == seqs
    assert [r.msg_id for r in mine] == [e.id for e in envs]
    first = mine[0]
    assert first.type == "sample.note.posted"
    assert first.subject == "arena.sample.note.posted"
    assert first.valid
    assert orjson.loads(first.headers)["Nats-Msg-Id"] == envs[0].id
    assert orjson.loads(first.body)["payload"] == {"text": "note 0"}
    assert first.ts == envs[0].ts


async def test_undecodable_message_is_recorded_flagged_with_its_error(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    seq = await bus.publish_raw("arena.sample.note.posted", b"{not json", {"Arena-Run-Id": "r"})
    await settle(bus, engine)
    with engine.connect() as conn:
        row = conn.execute(select(Message).where(Message.seq == seq)).one()
    assert not row.valid
    assert row.error_reason == "not_json"
    assert row.body == b"{not json"
    assert row.run_id == "r"


async def test_restarted_recorder_resumes_after_its_last_commit(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await bus.publish_many([Envelope.new(SampleNote(text="a"), run_id="r") for _ in range(10)])
    await settle(bus, engine)
    await recorder.stop()
    await bus.publish_many([Envelope.new(SampleNote(text="b"), run_id="r") for _ in range(10)])
    await recorder.start()
    last = await settle(bus, engine)
    assert recorded_count(engine) == last


async def test_timestamp_without_offset_is_taken_as_utc_and_recording_goes_on(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    subject, body, headers = encode(Envelope.new(SampleNote(text="local"), run_id="naive"))
    naive = orjson.loads(body) | {"ts": "2026-01-02T03:04:05.123456"}
    await bus.publish_raw(subject, orjson.dumps(naive), headers)
    await bus.publish(Envelope.new(SampleNote(text="after"), run_id="naive"))
    await settle(bus, engine)
    with engine.connect() as conn:
        first = conn.execute(select(Message).where(Message.run_id == "naive")).first()
        run = conn.execute(select(runs).where(runs.c.run_id == "naive")).one()
    assert first is not None and first.ts == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert run.events == 2 and run.started_at == first.ts
