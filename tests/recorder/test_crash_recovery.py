"""A recorder SIGKILLed at any moment loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from arena_core.bus import Bus
from arena_core.db import Message, open_database
from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded
from arena_core.settings import Settings


def start_recorder(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ARENA_NATS_URL": str(settings.nats_url),
        "ARENA_HOME": str(settings.home),
        "ARENA_WORKSPACE": str(settings.workspace),
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "arena_core.cli", "worker", "recorder"],
            env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
        )  # fmt: skip


async def wait_for_rows(db: Path, at_least: int, proc: subprocess.Popen[bytes]) -> None:
    while True:
        if os.path.exists(db):
            engine = open_database(db)
            with engine.connect() as conn:
                n = conn.execute(select(func.count()).select_from(Message)).scalar_one()
            engine.dispose()
            if n >= at_least:
                return
        assert proc.poll() is None, "recorder exited on its own"
        await asyncio.sleep(0.02)


def thoughts(n: int, offset: int) -> list[Envelope[AgentThoughtRecorded]]:
    return [
        Envelope.new(
            AgentThoughtRecorded(
                conversation_id="c", turn_index=i + offset, agent_role="engineer", text=f"t{i}"
            ),
            run_id="crash-run",
        )
        for i in range(n)
    ]


async def test_sigkilled_recorder_loses_and_duplicates_nothing(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    db = settings.database_path
    log = tmp_path / "recorder.log"
    published = 0
    for round_ in range(4):
        proc = start_recorder(settings, log)
        try:
            # Kill while messages are still arriving and batches are being committed.
            publisher = asyncio.create_task(bus.publish_many(thoughts(1500, published)))
            await wait_for_rows(db, published + 200 * (round_ + 1), proc)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            await publisher
            published += 1500
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    proc = start_recorder(settings, log)
    try:
        last = int((await bus.js.stream_info(bus.stream.name)).state.last_seq)
        await wait_for_rows(db, last, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    engine = open_database(db)
    with engine.connect() as conn:
        seqs = conn.execute(select(Message.seq).order_by(Message.seq)).scalars().all()
        ids = (
            conn.execute(select(Message.msg_id).where(Message.run_id == "crash-run"))
            .scalars()
            .all()
        )
        invalid = conn.execute(
            select(func.count()).select_from(Message).where(Message.valid.is_(False))  # type: ignore[attr-defined]
        ).scalar_one()
    assert seqs[: len(range(1, last + 1))] == list(range(1, last + 1))
    assert len(ids) == published == len(set(ids))
    assert invalid == 0
