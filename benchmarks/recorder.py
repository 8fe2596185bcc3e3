"""Recorder throughput against a raw nats-py pull consumer reading the same stream.

4 concurrent publishers put N events on a fresh embedded server; then a raw pull
consumer (fetch batches, ack-all, discard) and the recorder (decode, SQLite, projections)
each read the whole stream. Prints rates, then one JSON line: ratio = recorder / raw.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import func, select

from arena_core.bus import EmbeddedNats
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.db.tables import messages
from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded
from arena_core.recorder import RecorderService
from arena_core.settings import Settings

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
PUBLISHERS = 4


async def publish(settings: Settings, index: int, count: int) -> None:
    async with make_bus(settings, name=f"pub-{index}") as bus:
        for start in range(0, count, 500):
            await bus.publish_many(
                Envelope.new(
                    AgentThoughtRecorded(conversation_id=f"c{index}", turn_index=i,
                                         agent_role="engineer", text=f"thought {i} " * 8),
                    run_id=f"bench-{index}",
                )
                for i in range(start, min(start + 500, count))
            )  # fmt: skip


async def raw_consume(settings: Settings, total: int) -> float:
    async with make_bus(settings, name="raw") as bus:
        await bus.js.add_consumer(
            bus.stream.name,
            ConsumerConfig(durable_name="raw", ack_policy=AckPolicy.ALL, max_ack_pending=20_000),
        )
        sub = await bus.js.pull_subscribe_bind(durable="raw", stream=bus.stream.name)
        seen = 0
        t0 = time.perf_counter()
        while seen < total:
            msgs = await sub.fetch(batch=1000, timeout=2)
            seen += len(msgs)
            await msgs[-1].ack()
        return time.perf_counter() - t0


async def record(settings: Settings, total: int) -> tuple[float, int, int]:
    engine = open_database(settings.database_path)
    service = RecorderService(make_bus(settings, name="recorder"), settings, engine=engine)
    t0 = time.perf_counter()
    await service.start()
    while service.last_seq < total:  # noqa: ASYNC110 - polling a counter, not an event
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - t0
    await service.stop()
    with engine.connect() as conn:
        seqs = conn.execute(select(messages.c.seq).where(messages.c.seq <= total)).scalars().all()
        ids = conn.execute(select(func.count(func.distinct(messages.c.msg_id)))).scalar_one()
        rows = conn.execute(select(func.count()).select_from(messages)).scalar_one()
    lost = len(set(range(1, total + 1)) - set(seqs))
    return elapsed, lost, rows - ids


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with EmbeddedNats(home / "nats") as server:
            settings = Settings(nats_url=server.url, home=home / ".arena",
                                workspace=home / "workspace")  # fmt: skip
            t0 = time.perf_counter()
            share = N // PUBLISHERS
            await asyncio.gather(*(publish(settings, i, share) for i in range(PUBLISHERS)))
            print(f"published {share * PUBLISHERS} in {time.perf_counter() - t0:.2f}s")
            async with make_bus(settings, name="info") as bus:
                total = int((await bus.js.stream_info(bus.stream.name)).state.last_seq)
            raw_s = await raw_consume(settings, total)
            rec_s, lost, duplicated = await record(settings, total)
    raw_rate, rec_rate = total / raw_s, total / rec_s
    print(f"raw pull-consume: {raw_rate:,.0f} msg/s   recorder: {rec_rate:,.0f} msg/s")
    print(json.dumps({"bench": "recorder", "n": total, "ratio": round(rec_rate / raw_rate, 3),
                      "lost": lost, "duplicated": duplicated}))  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
