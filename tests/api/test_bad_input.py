"""Bad input gets a 4xx problem+json naming what is wrong, and nothing is published."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, func, select

from arena_core.bus import Bus
from arena_core.db.tables import messages
from tests.api.conftest import Server
from tests.recorder.recording import settle

PROBLEM = "application/problem+json"


def count_jobs(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(messages.c.type == "sample.job.requested")
        return int(conn.execute(query).scalar_one())


@pytest.mark.parametrize(
    ("send", "status", "kind"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400,
         "malformed-json"),
        ({"json": {"task": 3}}, 422, "schema-violation"),
        ({"json": {"task": "x", "surprise": 1}}, 422, "schema-violation"),
        ({"json": [1, 2]}, 422, "schema-violation"),
        ({"content": b"task=x", "headers": {"content-type": "text/plain"}}, 415,
         "unsupported-media-type"),
        ({"json": {"task": "x" * 5_000_000}}, 413, "body-too-large"),
    ],
)  # fmt: skip
async def test_a_bad_body_is_a_problem_and_publishes_nothing(
    api: Server, bus: Bus, engine: Engine, send: dict[str, object], status: int, kind: str
) -> None:
    async with api.client("submit") as client:
        answer = await client.post("/jobs/sample", **send)  # type: ignore[arg-type]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["type"] == f"urn:arena:problem:{kind}" and body["status"] == status
    await settle(bus, engine)
    assert count_jobs(engine) == 0


async def test_a_schema_violation_names_the_field(api: Server) -> None:
    async with api.client("submit") as client:
        body = (await client.post("/jobs/sample", json={"task": 3})).json()
    assert body["errors"][0]["loc"] == ["body", "task"]


async def test_an_unknown_job_type_is_named(api: Server) -> None:
    async with api.client("submit") as client:
        answer = await client.post("/jobs/teleport", json={})
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:arena:problem:unknown-job-type"
    assert "teleport" in answer.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/jobs/0190a1b2-0000", "/runs/nope", "/benchmarks/nope", "/prompts/nope",
             "/conversations/nope", "/runs/nope/files", "/nowhere"],
)  # fmt: skip
async def test_an_id_that_does_not_exist_is_not_found(api: Server, path: str) -> None:
    async with api.client("read") as client:
        answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:arena:problem:not-found"


@pytest.mark.parametrize(
    ("scope", "header", "status", "kind"),
    [
        (None, None, 401, "unauthorized"),
        (None, "Bearer arena_000000000000_" + "x" * 43, 401, "unauthorized"),
        (None, "Basic dXNlcjpwYXNz", 401, "unauthorized"),
        ("read", None, 403, "forbidden"),
    ],
)
async def test_bad_missing_or_weak_tokens_are_refused(
    api: Server, scope: str | None, header: str | None, status: int, kind: str
) -> None:
    headers = {"Authorization": header} if header else {}
    async with api.client(scope) as client:
        answer = await client.post("/jobs/sample", json={"task": "x"}, headers=headers)
    assert answer.status_code == status
    body = answer.json()
    assert body["type"] == f"urn:arena:problem:{kind}"
    assert "arena_" not in answer.text  # a token is never echoed back


async def test_submit_scope_reads_but_cannot_back_up(api: Server) -> None:
    async with api.client("submit") as client:
        assert (await client.get("/runs")).status_code == 200
        answer = await client.post("/admin/backup", headers={"Idempotency-Key": "k" * 10})
    assert answer.status_code == 403


async def test_health_needs_no_token(api: Server) -> None:
    async with httpx.AsyncClient(base_url=api.url) as client:
        body = (await client.get("/health")).json()
    assert body["status"] == "ok" and body["database"] and body["bus"]


async def test_a_job_no_worker_consumes_is_refused_naming_its_command(
    api: Server, bus: Bus, engine: Engine
) -> None:
    async with api.client("submit") as client:
        answer = await client.post("/jobs/demo", json={"benchmarks": 1})
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == "urn:arena:problem:no-worker"
    assert "arena demo" in answer.json()["detail"]
    await settle(bus, engine)
    with engine.connect() as conn:
        query = select(func.count()).where(messages.c.type == "demo.job.requested")
        assert conn.execute(query).scalar_one() == 0


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("rollout", {"benchmark_ids": ["b1"], "k": 0}),
        ("calibrate", {"families": ["sweep"], "min_difficulty": 9}),
        ("calibrate", {"benchmark_ids": ["b1"], "max_sim_calls": 0}),
    ],
)
async def test_a_batch_job_with_bad_numbers_is_a_422(
    api: Server, kind: str, body: dict[str, object]
) -> None:
    async with api.client("submit") as client:
        answer = await client.post(f"/jobs/{kind}", json=body)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == "urn:arena:problem:schema-violation"
