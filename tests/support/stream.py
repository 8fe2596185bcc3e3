"""Reading what is on the stream, for assertions."""

from __future__ import annotations

import asyncio
from typing import Any

import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from arena_core.bus import Bus
from arena_core.events import Envelope, decode


async def _count(bus: Bus, subject: str) -> int:
    info = await bus.js.stream_info(bus.stream.name, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def stored(bus: Bus, subject: str = "arena.>") -> list[Envelope[Any]]:
    """Every message currently stored on ``subject``, decoded, in stream order."""
    want = await _count(bus, subject)
    sub = await bus.js.pull_subscribe(
        subject,
        stream=bus.stream.name,
        config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=5
        ),
    )
    out: list[Envelope[Any]] = []
    try:
        while len(out) < want:
            try:
                msgs = await sub.fetch(batch=min(500, want - len(out)), timeout=5)
            except (nats.errors.TimeoutError, TimeoutError):
                break
            out.extend(decode(m.subject, m.data, m.headers, events=bus.events) for m in msgs)
    finally:
        await sub.unsubscribe()
    return out


async def wait_for(
    bus: Bus, subject: str, count: int, timeout: float = 30.0
) -> list[Envelope[Any]]:
    """Poll until at least ``count`` messages are stored on ``subject``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        if await _count(bus, subject) >= count or loop.time() > end:
            return await stored(bus, subject)
        await asyncio.sleep(0.02)
