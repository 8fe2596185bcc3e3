"""Recorder throughput against a raw nats-py pull consumer reading the same stream.

4 concurrent publishers put N events on a fresh embedded server. Then, for ROUNDS
rounds, alternately: a raw nats-py pull consumer (batched ``fetch``, ack-all, discard)
and the recorder (decode, SQLite, projections, into a fresh database) each read the
whole stream. A third reader, the recorder's own ``Feed`` taking batches and acking
them without doing anything else, shows how much of the recorder's time is recording.
Best rate of each is compared. Last line: one JSON object, ratio = recorder / raw.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import func, select

from arena_core.bus import EmbeddedNats
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.db.tables import messages
from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded
from arena_core.recorder import RecorderService
from arena_core.recorder.feed import Feed
from arena_core.settings import Settings

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
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


async def raw_consume(settings: Settings, durable: str, total: int) -> float:
    """The best a plain nats-py client does: batched fetch, one ack-all per batch."""
    async with make_bus(settings, name="raw") as bus:
        await bus.js.add_consumer(
            bus.stream.name,
            ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.ALL, max_ack_pending=20_000),
        )
        sub = await bus.js.pull_subscribe_bind(durable=durable, stream=bus.stream.name)
        seen = 0
        t0 = time.perf_counter()
        while seen < total:
            try:
                msgs = await sub.fetch(batch=1000, timeout=2)
            except (nats.errors.TimeoutError, TimeoutError):
                continue
            seen += len(msgs)
            await msgs[-1].ack()
        return time.perf_counter() - t0


async def feed_consume(settings: Settings, durable: str, total: int) -> float:
    """The recorder's pull path alone: take batches, ack-all, record nothing."""
    async with make_bus(settings, name="feed") as bus:
        await bus.js.add_consumer(
            bus.stream.name,
            ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.ALL, max_ack_pending=20_000),
        )
        t0 = time.perf_counter()
        feed = await Feed(bus.nc, bus.stream.name, durable, window=4000).open()
        seen = 0
        while seen < total:
            batch = await feed.take(1000, 0.02)
            if batch:
                seen += len(batch)
                await batch[-1].msg.ack()
        await feed.close()
        return time.perf_counter() - t0


async def record(settings: Settings, total: int) -> tuple[float, int, int]:
    engine = open_database(settings.database_path)
    service = RecorderService(make_bus(settings, name="recorder"), settings)
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
    engine.dispose()
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
            best = {"raw": 0.0, "feed": 0.0, "recorder": 0.0}
            lost = duplicated = 0
            for round_ in range(ROUNDS):
                rate = total / await raw_consume(settings, f"raw{round_}", total)
                best["raw"] = max(best["raw"], rate)
                # A fresh database each round: the recorder resumes after its last commit.
                fresh = settings.model_copy(update={"home": home / f"round{round_}"})
                elapsed, round_lost, round_dup = await record(fresh, total)
                best["recorder"] = max(best["recorder"], total / elapsed)
                lost, duplicated = max(lost, round_lost), max(duplicated, round_dup)
                feed_rate = total / await feed_consume(settings, f"feed{round_}", total)
                best["feed"] = max(best["feed"], feed_rate)
                print(f"round {round_}: raw {rate:,.0f}  recorder {total / elapsed:,.0f}  "
                      f"feed {feed_rate:,.0f} msg/s")  # fmt: skip
    print(f"best: raw nats-py fetch {best['raw']:,.0f} msg/s   recorder {best['recorder']:,.0f} "
          f"msg/s   feed alone {best['feed']:,.0f} msg/s")  # fmt: skip
    print(json.dumps({"bench": "recorder", "n": total,
                      "ratio": round(best["recorder"] / best["raw"], 3),
                      "lost": lost, "duplicated": duplicated,
                      "ratio_vs_feed": round(best["recorder"] / best["feed"], 3)}))  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
