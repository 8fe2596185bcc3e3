"""The recorder's feed: batches in delivery order, and a lost delivery is never acked past."""

from __future__ import annotations

import asyncio

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import Engine, func, select

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db import Message
from arena_core.events import Envelope
from arena_core.recorder import RecorderService
from arena_core.recorder.feed import Feed, FeedBroken
from arena_core.recorder.service import DURABLE
from arena_core.settings import Settings
from tests.recorder.recording import SampleNote, settle


async def make_consumer(bus: Bus, durable: str) -> None:
    await bus.js.add_consumer(
        bus.stream.name, ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.ALL)
    )


def notes(n: int, run_id: str = "feed-run") -> list[Envelope[SampleNote]]:
    return [Envelope.new(SampleNote(text=f"note {i}"), run_id=run_id) for i in range(n)]


async def test_take_hands_out_batches_in_stream_order_across_pull_requests(bus: Bus) -> None:
    await make_consumer(bus, "f1")
    seqs = await bus.publish_many(notes(25))
    feed = await Feed(bus.nc, bus.stream.name, "f1", window=6).open()
    taken: list[int] = []
    while len(taken) < 25:
        batch = await feed.take(4, 2.0)
        assert 0 < len(batch) <= 4
        taken += [d.stream_seq for d in batch]
        await batch[-1].msg.ack()
    await feed.close()
    assert taken == seqs
    assert feed.broken is None


async def steal_next_delivery(bus: Bus, durable: str) -> asyncio.Task[list[Msg]]:
    """Another client's pull on ``durable``, queued at the server behind earlier ones."""
    thief = await bus.js.pull_subscribe_bind(durable=durable, stream=bus.stream.name)
    task = asyncio.create_task(thief.fetch(batch=1, timeout=10))
    await asyncio.sleep(0)  # let it send its pull request
    await bus.nc.flush()
    return task


async def test_delivery_taken_by_another_client_breaks_the_feed_at_the_gap(bus: Bus) -> None:
    await make_consumer(bus, "f2")
    stealing = await steal_next_delivery(bus, "f2")
    feed = await Feed(bus.nc, bus.stream.name, "f2", window=4).open()
    await bus.publish_many(notes(10))
    stolen = await stealing
    taken = await feed.take(10, 1.0)
    await feed.close()
    assert stolen[0].metadata.sequence.consumer == 1
    assert taken == []  # nothing after the gap is handed out, so nothing is acked past it
    assert feed.broken is FeedBroken.delivery_gap


async def test_recorder_resumes_after_a_lost_delivery_and_records_everything_once(
    bus: Bus, engine: Engine, settings: Settings
) -> None:
    small = settings.model_copy(update={"recorder_batch": 2})  # pulls of 8, two ahead
    recorder = RecorderService(make_bus(small, name="recorder"), small)
    await recorder.start()
    try:
        stealing = await steal_next_delivery(bus, DURABLE)
        await bus.publish_many(notes(100))
        await stealing  # one delivery of the recorder's consumer went to another client
        last = await settle(bus, engine)
    finally:
        await recorder.stop()
    assert recorder.resumes == 1
    with engine.connect() as conn:
        seqs = conn.execute(select(Message.seq).order_by(Message.seq)).scalars().all()
    assert seqs[:last] == list(range(1, last + 1))
    assert len(seqs) == len(set(seqs))


async def test_recorder_recreates_a_consumer_deleted_under_it(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await bus.publish_many(notes(5))
    await settle(bus, engine)
    await bus.js.delete_consumer(bus.stream.name, DURABLE)
    await bus.publish_many(notes(5))
    last = await settle(bus, engine)
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(Message)).scalar_one()
    assert rows == last
    assert recorder.resumes == 1
