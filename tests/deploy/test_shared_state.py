"""Shared state over NATS: a team on another node of the cluster, with an empty
``ARENA_HOME``, runs on the prompt promoted and the skill written on the first node."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from nats.aio.msg import Msg

from arena_core.bus import Bus, StreamSpec
from arena_core.events import Envelope, decode
from arena_core.events.engineer import SkillContent, SkillWritten, SolveJobCompleted
from arena_core.events.llm import LlmCallRequested
from arena_core.prompts import move_tag, new_version, packaged_default, packaged_prompt
from arena_core.prompts.model import Prompt
from arena_core.prompts.skills import skill_path, slugify
from arena_core.stack import wait_until_running
from arena_core.state import SharedState
from engineer.solving import SolveTarget, request_for, solve
from tests.deploy.nodes import NatsNode
from tests.deploy.test_cluster import REPLICAS, cluster, workers

__all__ = ["cluster"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SKILL = SkillContent(
    title="Ramp from node one",
    when_to_use="A ball must roll into a goal zone.",
    steps=("Tilt a plate towards the goal.",),
    example="angle 0.5 rad",
    tags=("ball_to_goal", "reach_zone"),
)


async def until(check: Any, within_s: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while not await check():
        assert loop.time() < end, "the shared state never reached the second node"
        await asyncio.sleep(0.2)


async def test_a_team_on_a_second_node_uses_the_prompt_and_skill_of_the_first(
    cluster: list[NatsNode], tmp_path: Path
) -> None:
    node1, node2, _ = cluster
    stream = StreamSpec(replicas=REPLICAS)
    empty_home = tmp_path / "node2-home"
    recorder = workers(node1, tmp_path, ARENA_DB_PATH=str(tmp_path / "arena.db"))
    team = workers(node2, tmp_path, ARENA_HOME=str(empty_home))
    try:
        recorder.start("recorder")
        await wait_until_running(node1.url(), {"recorder": 1}, timeout=120)
        async with Bus(node1.url(), name="node-1", stream=stream) as first:
            # On the first node: a new engineer prompt is promoted and a skill is written.
            promoted = new_version(
                "engineer", "1.1.0", packaged_default("engineer") + "\nPromoted on node 1.\n",
                parent_id=packaged_prompt("engineer").id,
            )  # fmt: skip
            tag = move_tag(
                Prompt(id=promoted.prompt_id, role="engineer", version="", content=""), "prod"
            )
            slug = slugify(SKILL.title)
            written = SkillWritten(
                skill_id="skill-from-node-1", role="engineer", slug=slug, content=SKILL,
                path=skill_path("engineer", slug), failures_before=3,
            )  # fmt: skip
            for payload in (promoted, tag, written):
                await first.publish(Envelope.new(payload, run_id="node-1"))

        team.start("simrunner")
        for service in ("planner", "engineer", "critic"):
            team.start(service)
        async with Bus(node2.url(), name="node-2", stream=stream) as second:
            state = SharedState(second)

            async def shared() -> bool:
                prompt = await state.prod_prompt("engineer")
                skills = await state.skills("engineer", ["ball_to_goal"])
                return prompt.id == promoted.prompt_id and [s.slug for s in skills] == [slug]

            await until(shared)
            await wait_until_running(
                node2.url(), {"simrunner": 1, "planner": 1, "engineer": 1, "critic": 1}, timeout=180
            )
            seen: list[Envelope[Any]] = []

            async def keep(msg: Msg) -> None:
                seen.append(decode(msg.subject, msg.data, msg.headers))

            await second.nc.subscribe("arena.llm.call.requested", cb=keep)
            request = request_for(SolveTarget.example("ball_to_goal", seed=4))
            done = await solve(second, request, run_id="node-2-solve", timeout=600)
            assert isinstance(done, SolveJobCompleted), done

        calls = [e.payload for e in seen if isinstance(e.payload, LlmCallRequested)]
        engineer = [c for c in calls if c.agent_role == "engineer"]
        assert engineer and {c.prompt.id for c in engineer if c.prompt} == {promoted.prompt_id}
        assert all(SKILL.title in c.system for c in engineer)
        planner = [c for c in calls if c.agent_role == "planner"]
        assert planner and all(c.prompt == packaged_prompt("planner").ref for c in planner)
        # The second node's services never opened a database of their own.
        assert not (empty_home / "arena.db").exists()
        assert not [w.service for w in team.crashed() + recorder.crashed()]
    finally:
        team.stop()
        recorder.stop()
