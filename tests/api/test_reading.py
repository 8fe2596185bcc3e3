"""Reading the recording through the API: runs, timeline, conversations, files, metrics."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.replay.conversations import load_conversation
from arena_core.replay.timeline import timeline
from arena_core.settings import Settings
from tests.api.conftest import Server
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run


async def test_the_timeline_is_what_replay_shows_page_by_page(
    api: Server, bus: Bus, engine: Engine
) -> None:
    await publish_run(bus, "run-read")
    await settle(bus, engine)
    expected = [e.model_dump(mode="json") for e in timeline(engine, "run-read")]
    got: list[dict[str, object]] = []
    after = 0
    async with api.client("read") as client:
        while True:
            page = (await client.get(f"/runs/run-read/timeline?after={after}&limit=4")).json()
            got += page["entries"]
            if page["next_after"] is None:
                break
            after = page["next_after"]
        run = (await client.get("/runs/run-read")).json()
    assert got == expected
    assert run["events"] == len(expected) and run["jobs_failed"] == 2  # child and its batch


async def test_a_conversation_is_served_as_replay_loads_it(
    api: Server, bus: Bus, engine: Engine
) -> None:
    await publish_run(bus, "run-conv", conversation_id="conv-api")
    await settle(bus, engine)
    async with api.client("read") as client:
        ids = (await client.get("/runs/run-conv/conversations")).json()["conversation_ids"]
        conversation = (await client.get("/conversations/conv-api")).json()
    assert ids == ["conv-api"]
    assert conversation == load_conversation(engine, "conv-api").model_dump(mode="json")


async def test_workspace_files_are_served_and_escapes_refused(
    api: Server, bus: Bus, engine: Engine, settings: Settings
) -> None:
    await publish_run(bus, "run-files")
    await settle(bus, engine)
    root = settings.workspace / "run-files"
    (root / "cad").mkdir(parents=True)
    (root / "cad" / "part.py").write_text("print('part')\n")
    secret = settings.workspace.parent / "secret.txt"
    secret.write_text("do not serve")
    os.symlink(secret, root / "leak.txt")
    os.symlink(settings.workspace.parent, root / "up")
    async with api.client("read") as client:
        listing = (await client.get("/runs/run-files/files")).json()
        part = await client.get("/runs/run-files/files/cad/part.py")
        leak = await client.get("/runs/run-files/files/leak.txt")
        through = await client.get("/runs/run-files/files/up/secret.txt")
        dotted = await client.get("/runs/run-files/files/cad/%2e%2e/%2e%2e/%2e%2e/secret.txt")
    assert [f["path"] for f in listing["files"]] == ["cad/part.py"]
    assert part.status_code == 200 and part.content == b"print('part')\n"
    for refused in (leak, through, dotted):
        assert refused.status_code in (403, 404), refused.text
        assert b"do not serve" not in refused.content
    assert leak.json()["type"] == "urn:arena:problem:path-refused"
    assert through.json()["type"] == "urn:arena:problem:path-refused"


async def test_a_file_name_longer_than_the_filesystem_allows_is_not_found(
    api: Server, bus: Bus, engine: Engine, settings: Settings
) -> None:
    await publish_run(bus, "run-long")
    await settle(bus, engine)
    (settings.workspace / "run-long").mkdir(parents=True, exist_ok=True)
    async with api.client("read") as client:
        answer = await client.get("/runs/run-long/files/" + "a" * 300)
    assert answer.status_code == 404, answer.text
    assert answer.json()["type"] == "urn:arena:problem:not-found"


async def test_metrics_count_requests_by_route_and_jobs_by_state(
    api: Server, bus: Bus, engine: Engine
) -> None:
    await publish_run(bus, "run-metrics")
    await settle(bus, engine)
    async with api.client("read") as client:
        await client.get("/runs/run-metrics")
        text = (await client.get("/metrics")).text
    assert 'arena_api_requests_total{method="GET",route="/runs/{run_id}",status="200"}' in text
    assert 'arena_jobs{state="failed"} 1.0' in text


@pytest.mark.parametrize("scope", ["read"])
async def test_workers_lists_running_services(api: Server, scope: str) -> None:
    # the recorder of the fixture is a running service process on the bus
    async with api.client(scope) as client:
        body = (await client.get("/workers?wait=3")).json()
    assert body["services"] == {"recorder": 1}
    [worker] = body["workers"]
    assert worker["node"] and worker["pid"] == os.getpid()
