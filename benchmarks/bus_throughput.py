"""Typed bus vs raw nats-py: publish and consume N envelopes through JetStream.

Both sides publish asynchronously and await every ack, and consume with batched pull
fetches and explicit acks; the typed side also encodes/decodes and validates envelopes
and dispatches to a handler. Each side runs ROUNDS times alternately; the best rate of
each is compared. Last line: one JSON object.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nats.errors
import orjson
from nats.js.api import AckPolicy, ConsumerConfig

from arena_core.bus import Bus, ConsumerSpec, Delivery, EmbeddedNats, PullWorker
from arena_core.events import Envelope, encode
from arena_core.events.errors import HandlerFailed

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
BATCH = 256


def envelopes(n: int) -> list[Envelope[Any]]:
    return [
        Envelope.new(
            HandlerFailed(
                consumer="bench",
                event_type="bench.item",
                event_id=str(i),
                stream_seq=i,
                attempt=1,
                error_type="none",
                error="payload of a typical size " * 3,
                retry_in_s=0.5,
            )
        )
        for i in range(n)
    ]


def clean_heap() -> None:
    """Same starting point for each timed section: the harness's own garbage (tens of
    thousands of prepared envelopes) is collected and frozen, not charged to whoever
    happens to trigger the next collection."""
    gc.collect()
    gc.freeze()


async def raw_publish(bus: Bus, items: list[tuple[str, bytes, dict[str, str]]]) -> float:
    js = bus.js
    clean_heap()
    start = time.perf_counter()
    futures = [await js.publish_async(s, b, headers=h) for s, b, h in items]
    for future in futures:
        await future
    return len(items) / (time.perf_counter() - start)


async def typed_publish(bus: Bus, envs: list[Envelope[Any]]) -> float:
    clean_heap()
    start = time.perf_counter()
    await bus.publish_many(envs)
    return len(envs) / (time.perf_counter() - start)


async def raw_consume(bus: Bus, durable: str, n: int) -> float:
    await bus.js.add_consumer(
        bus.stream.name,
        ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            max_ack_pending=BATCH * 4,
            filter_subject="arena.error.handler_failed",
        ),
    )
    sub = await bus.js.pull_subscribe_bind(durable=durable, stream=bus.stream.name)
    got = 0
    clean_heap()
    start = time.perf_counter()
    while got < n:
        try:
            msgs = await sub.fetch(batch=BATCH, timeout=1)
        except (nats.errors.TimeoutError, TimeoutError):
            continue
        for msg in msgs:
            orjson.loads(msg.data)  # a raw consumer still has to read the bytes
            await msg.ack()
        got += len(msgs)
    rate = n / (time.perf_counter() - start)
    await sub.unsubscribe()
    return rate


async def typed_consume(bus: Bus, durable: str, n: int) -> float:
    done = asyncio.Event()
    count = 0

    async def handler(delivery: Delivery[Any]) -> None:
        nonlocal count
        count += 1
        if count >= n:
            done.set()

    worker = PullWorker(
        bus,
        ConsumerSpec(
            durable=durable, subjects=("arena.error.handler_failed",), max_ack_pending=BATCH * 4
        ),
        {"error.handler_failed": handler},
        concurrency=BATCH,
        fetch_batch=BATCH,
    )
    clean_heap()
    start = time.perf_counter()
    task = asyncio.create_task(worker.run())
    await done.wait()
    rate = n / (time.perf_counter() - start)
    worker.stop()
    await task
    return rate


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedNats(Path(tmp) / "nats") as server:
        bus = await Bus(server.url, name="bench").connect()
        best = {"raw_pub": 0.0, "typed_pub": 0.0, "raw_con": 0.0, "typed_con": 0.0}
        for round_ in range(ROUNDS):
            # Fresh ids every round: JetStream de-duplicates repeated ids.
            items = [encode(e) for e in envelopes(N)]
            await bus.js.purge_stream(bus.stream.name)
            best["raw_pub"] = max(best["raw_pub"], await raw_publish(bus, items))
            best["raw_con"] = max(best["raw_con"], await raw_consume(bus, f"raw{round_}", N))
            await bus.js.purge_stream(bus.stream.name)
            fresh = envelopes(N)
            best["typed_pub"] = max(best["typed_pub"], await typed_publish(bus, fresh))
            best["typed_con"] = max(
                best["typed_con"], await typed_consume(bus, f"typed{round_}", N)
            )
        await bus.close()
    for key, value in best.items():
        print(f"{key:>10}: {value:>10,.0f} msg/s")
    print(
        orjson.dumps(
            {
                "bench": "bus",
                "n": N,
                "publish_ratio": round(best["typed_pub"] / best["raw_pub"], 3),
                "consume_ratio": round(best["typed_con"] / best["raw_con"], 3),
            }
        ).decode()
    )


if __name__ == "__main__":
    asyncio.run(main())
