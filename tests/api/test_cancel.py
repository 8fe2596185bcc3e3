"""Cancelling a batch reaches the workers: a child delivered afterwards is never worked on."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, select

from arena_core.bus import Bus, Delivery
from arena_core.container import make_bus
from arena_core.db.tables import jobs
from arena_core.service import Service, handles
from arena_core.settings import Settings
from tests.api.conftest import Server
from tests.recorder.recording import SampleJobCompleted, SampleJobRequested, settle


class SampleWorker(Service):
    """Completes sample jobs, except ``hold`` ones (acked, never answered)."""

    name = "sampleworker"
    seen: list[str]

    @handles(SampleJobRequested)
    async def work(self, delivery: Delivery[SampleJobRequested]) -> None:
        self.seen.append(delivery.payload.task)
        if delivery.payload.task not in ("hold", "batch"):
            await delivery.emit(SampleJobCompleted(result=delivery.payload.task))


async def test_a_child_of_a_cancelled_batch_fails_as_cancelled_without_being_worked_on(
    api: Server, bus: Bus, engine: Engine, settings: Settings
) -> None:
    worker = SampleWorker(make_bus(settings, name="sampleworker"), settings)
    worker.seen = []
    async with worker.running(), api.client("submit") as client:
        batch = (await client.post("/jobs/sample", json={"task": "batch"})).json()["job_id"]
        await client.post("/jobs/sample", json={"task": "hold", "parent_job_id": batch})
        await settle(bus, engine)
        cancelled = await client.post(f"/jobs/{batch}/cancel")
        assert cancelled.status_code == 202, cancelled.text
        late = await client.post("/jobs/sample", json={"task": "late", "parent_job_id": batch})
        late_id = late.json()["job_id"]
        for _ in range(400):
            await settle(bus, engine)
            with engine.connect() as conn:
                row = conn.execute(select(jobs).where(jobs.c.job_id == late_id)).first()
            if row is not None and row.outcome is not None:
                break
            await asyncio.sleep(0.05)
        view = (await client.get(f"/jobs/{batch}")).json()
    assert row is not None and row.state == "failed"
    assert row.error == "error.invalid_message: cancelled"
    assert "late" not in worker.seen and "hold" in worker.seen
    assert view["status"] == "cancelled"
