"""The dashboard's endpoints on a real server: the pages, the live feed from the bus,
who the token is, and problem+json for what does not exist."""

from __future__ import annotations

import asyncio

import orjson

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded
from tests.api.conftest import Server, api, recorder, serve
from tests.recorder.recording import engine

__all__ = ["api", "engine", "recorder", "serve"]


async def test_the_live_feed_carries_each_bus_event_and_needs_a_token(
    api: Server, bus: Bus
) -> None:
    async with api.client(None) as anonymous:
        refused = await anonymous.get("/dashboard/stream")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    event = Envelope.new(
        AgentThoughtRecorded(conversation_id="c1", turn_index=0, agent_role="engineer",
                             text="secret thought"),
        run_id="run-live",
    )  # fmt: skip
    seen: list[dict[str, object]] = []
    async with api.client("read") as reader, reader.stream("GET", "/dashboard/stream") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")

        async def read_until_ours() -> None:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    seen.append(orjson.loads(line[6:]))
                    if seen[-1]["id"] == event.id:
                        return

        reading = asyncio.create_task(read_until_ours())
        await asyncio.sleep(0.2)
        await bus.publish(event)
        await asyncio.wait_for(reading, 20)
    ours = seen[-1]
    assert ours == {"type": "agent.thought.recorded", "id": event.id, "run_id": "run-live",
                    "subject": "arena.agent.thought.recorded"}  # fmt: skip
    assert "secret" not in orjson.dumps(seen).decode()


async def test_pages_are_served_with_a_policy_and_the_token_is_named(api: Server) -> None:
    async with api.client("read") as reader:
        page = await reader.get("/ui/")
        script = await reader.get("/ui/app.js")
        home = await reader.get("/", follow_redirects=False)
        me = await reader.get("/dashboard/me")
    assert page.status_code == 200 and '<main id="main">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert home.status_code == 307 and home.headers["location"] == "/ui/"
    assert me.json() == {"name": "test-read", "scopes": ["read"]}


async def test_what_does_not_exist_is_a_problem(api: Server) -> None:
    async with api.client("read") as reader:
        scene = await reader.get("/dashboard/benchmarks/nope/scene")
        design = await reader.get("/dashboard/runs/nope/design.stl")
        diff = await reader.get("/dashboard/profiles/nope/diff")
        experiments = await reader.get("/dashboard/experiments")
        runs = await reader.get("/dashboard/runs")
    for answer in (scene, design, diff):
        assert answer.status_code == 404, answer.text
        assert answer.json()["type"] == "urn:arena:problem:not-found"
    assert experiments.json() == {"experiments": []}
    listed = runs.json()["runs"]
    assert listed and all(r["family"] is None and r["profile_id"] is None for r in listed)
