"""Jobs through the API: submit (202 pending), poll, results, batches and their controls."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.events import Envelope
from tests.api.conftest import Server
from tests.recorder.recording import (
    SampleJobCompleted,
    SampleJobFailed,
    SampleJobRequested,
    settle,
)


async def poll(client: httpx.AsyncClient, job_id: str, status: str, within_s: float = 60) -> Any:
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while True:
        body = (await client.get(f"/jobs/{job_id}")).json()
        if body.get("status") == status or loop.time() > end:
            return body
        await asyncio.sleep(0.05)


async def recorded_request(bus: Bus, engine: Engine, job_id: str) -> Envelope[Any]:
    from sqlalchemy import select

    from arena_core.db.projections import decode_row
    from arena_core.db.tables import messages

    await settle(bus, engine)
    with engine.connect() as conn:
        row = conn.execute(select(messages).where(messages.c.msg_id == job_id)).one()
    envelope = decode_row(row)
    assert envelope is not None
    return envelope


async def test_a_submitted_job_is_pending_then_completed_with_its_result(
    api: Server, bus: Bus, engine: Engine
) -> None:
    async with api.client("submit") as client:
        answer = await client.post("/jobs/sample", json={"task": "polish"})
        assert answer.status_code == 202, answer.text
        accepted = answer.json()
        assert accepted["status"] == "pending" and accepted["kind"] == "sample"
        assert answer.headers["location"] == f"/jobs/{accepted['job_id']}"
        request = await recorded_request(bus, engine, accepted["job_id"])
        assert request.payload == SampleJobRequested(task="polish")
        assert (await client.get(f"/jobs/{accepted['job_id']}")).json()["status"] == "pending"
        await bus.publish(request.follow(SampleJobCompleted(result="shiny")))
        done = await poll(client, accepted["job_id"], "completed")
    assert done["status"] == "completed"
    assert done["result"] == {"result": "shiny", "sim_time_s": 0.0}


async def test_a_batch_rolls_up_children_and_retry_replaces_the_failed_one(
    api: Server, bus: Bus, engine: Engine
) -> None:
    async with api.client("submit") as client:
        batch = (await client.post("/jobs/sample", json={"task": "batch"})).json()["job_id"]
        children = []
        for task in ("a", "b"):
            answer = await client.post("/jobs/sample", json={"task": task, "parent_job_id": batch})
            children.append(await recorded_request(bus, engine, answer.json()["job_id"]))
        await bus.publish(children[0].follow(SampleJobCompleted(result="ok")))
        await bus.publish(children[1].follow(SampleJobFailed(reason="broke")))
        failed = await poll(client, batch, "failed")
        assert failed["children"] == {
            "total": 2, "pending": 0, "running": 0, "completed": 1, "failed": 1,
        }  # fmt: skip
        retry = await client.post(f"/jobs/{batch}/retry")
        assert retry.status_code == 202, retry.text
        [again] = retry.json()["retried"]
        assert again["failed_job_id"] == children[1].id
        fresh = await recorded_request(bus, engine, again["new_job_id"])
        assert fresh.payload == children[1].payload
        running = await poll(client, batch, "running")
        assert running["children"]["total"] == 2 and running["children"]["pending"] == 1
        await bus.publish(fresh.follow(SampleJobCompleted(result="ok now")))
        done = await poll(client, batch, "completed")
    assert done["children"]["completed"] == 2


async def test_pause_resume_and_cancel_of_a_batch_are_recorded_and_reported(
    api: Server, bus: Bus, engine: Engine
) -> None:
    async with api.client("submit") as client:
        batch = (await client.post("/jobs/sample", json={"task": "batch"})).json()["job_id"]
        await client.post("/jobs/sample", json={"task": "c", "parent_job_id": batch})
        await settle(bus, engine)
        assert (await client.post(f"/jobs/{batch}/pause")).status_code == 202
        assert (await poll(client, batch, "paused"))["status"] == "paused"
        await client.post(f"/jobs/{batch}/resume")
        assert (await poll(client, batch, "running"))["status"] == "running"
        await client.post(f"/jobs/{batch}/cancel")
        assert (await poll(client, batch, "cancelled"))["status"] == "cancelled"
        again = await client.post(f"/jobs/{batch}/resume")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:arena:problem:conflict"


async def test_controls_refuse_a_job_that_is_not_a_batch(api: Server, bus: Bus) -> None:
    async with api.client("submit") as client:
        single = (await client.post("/jobs/sample", json={"task": "x"})).json()["job_id"]
        answer = await client.post(f"/jobs/{single}/pause")
    assert answer.status_code == 409
    assert "not a batch" in answer.json()["detail"]
