"""Pausing a batch reaches the workers: its children wait, unconsumed, until it resumes."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db.tables import jobs
from arena_core.settings import Settings
from tests.api.conftest import Server
from tests.api.test_cancel import SampleWorker
from tests.recorder.recording import settle


async def outcome(bus: Bus, engine: Engine, job_id: str, tries: int = 400) -> str | None:
    for _ in range(tries):
        await settle(bus, engine)
        with engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.job_id == job_id)).first()
        if row is not None and row.outcome is not None:
            return str(row.state)
        await asyncio.sleep(0.05)
    return None


async def test_a_child_of_a_paused_batch_waits_and_runs_once_after_resume(
    api: Server, bus: Bus, engine: Engine, settings: Settings
) -> None:
    # A pause longer than ack_wait x max_deliver: the held child must not be redelivered.
    settings = settings.model_copy(update={"ack_wait_s": 1.0, "max_deliver": 2})
    worker = SampleWorker(make_bus(settings, name="sampleworker"), settings)
    worker.seen = []
    async with worker.running(), api.client("submit") as client:
        batch = (await client.post("/jobs/sample", json={"task": "batch"})).json()["job_id"]
        await client.post("/jobs/sample", json={"task": "hold", "parent_job_id": batch})
        await settle(bus, engine)
        paused = await client.post(f"/jobs/{batch}/pause")
        assert paused.status_code == 202, paused.text
        child = await client.post("/jobs/sample", json={"task": "child", "parent_job_id": batch})
        child_id = child.json()["job_id"]
        assert await outcome(bus, engine, child_id, tries=80) is None  # ~4 s and more: held
        assert "child" not in worker.seen
        resumed = await client.post(f"/jobs/{batch}/resume")
        assert resumed.status_code == 202, resumed.text
        state = await outcome(bus, engine, child_id)
        info = await bus.js.consumer_info(bus.stream.name, "sampleworker")
    assert state == "completed"
    assert worker.seen.count("child") == 1
    assert info.num_redelivered == 0
