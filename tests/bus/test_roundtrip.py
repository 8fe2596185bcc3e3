"""Typed publish -> durable consumer -> handler, over a real nats-server."""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from hypothesis import Phase, find, settings

from arena_core.bus import Bus, ConsumerSpec, Delivery, PullWorker
from arena_core.events import Envelope, registry, subject_for
from tests.support.strategies import for_model


@cache
def example(event_type: str) -> Any:
    """A valid payload of a type, the same on every run."""
    return find(
        for_model(registry.model(event_type)),
        lambda _: True,
        settings=settings(phases=[Phase.generate], derandomize=True, database=None),
    )


async def test_every_registered_event_type_reaches_its_typed_handler(bus: Bus) -> None:
    event_types = list(registry)
    received: dict[str, Envelope[Any]] = {}
    done = asyncio.Event()

    async def handler(delivery: Delivery[Any]) -> None:
        received[delivery.envelope.type] = delivery.envelope
        if len(received) == len(event_types):
            done.set()

    worker = PullWorker(
        bus,
        ConsumerSpec(durable="roundtrip", subjects=tuple(subject_for(t) for t in event_types)),
        dict.fromkeys(event_types, handler),
    )
    task = asyncio.create_task(worker.run())
    sent = {t: Envelope.new(example(t)) for t in event_types}
    for envelope in sent.values():
        await bus.publish(envelope)
    await asyncio.wait_for(done.wait(), 20)
    worker.stop()
    await task

    assert received == sent
    for event_type, envelope in received.items():
        assert isinstance(envelope.payload, registry.model(event_type))


async def test_publish_is_idempotent_on_the_envelope_id(bus: Bus) -> None:
    envelope = Envelope.new(example("system.service.stopped"))
    first = await bus.publish(envelope)
    second = await bus.publish(envelope)
    info = await bus.js.stream_info(bus.stream.name)
    assert first == second
    assert info.state.messages == 1


async def test_publish_many_returns_sequences_in_order(bus: Bus) -> None:
    envelopes = [Envelope.new(example("system.service.stopped")) for _ in range(50)]
    seqs = await bus.publish_many(envelopes)
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 50
