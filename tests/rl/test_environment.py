"""Arena as TRL's ``environment_factory``: a scripted policy plays a whole rollout against
a real simrunner on a real bus, the way ``GRPOTrainer`` drives an environment."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from transformers.utils import get_json_schema

from arena_core.container import container_for
from arena_core.settings import Settings
from arena_core.spec.examples import ramp_solution
from arena_core.stack import load_service
from arena_rl import ArenaEnvironment, EnvironmentNotReady, dataset


@pytest.fixture
async def simrunner(settings: Settings) -> AsyncIterator[Settings]:
    """A simrunner worker on the test's server (in this process)."""
    service = load_service("simrunner").from_container(container_for(settings))
    await service.start()
    try:
        yield settings
    finally:
        await service.stop()


def tools_of(env: object) -> dict[str, Callable[..., Any]]:
    """The tools GRPOTrainer finds on an environment: its public methods but two."""
    return {
        name: getattr(env, name)
        for name, _ in inspect.getmembers(type(env), predicate=inspect.isfunction)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


def scripted_policy(observation: str, call: Callable[[str, dict[str, Any]], str]) -> None:
    """Stands in for the model: previews two ramp pitches, submits the better one."""
    assert "Benchmark example:ball_to_goal:0" in observation
    best, best_reward = "", -1.0
    for pitch in (0.2, 0.5):
        design = ramp_solution(pitch=pitch).model_dump_json()
        verdict = json.loads(call("simulate", {"solution": design}))
        if verdict["reward"] > best_reward:
            best, best_reward = design, verdict["reward"]
    call("submit", {"solution": best})


def test_the_environment_exposes_tools_trl_can_describe(settings: Settings) -> None:
    with ArenaEnvironment(settings) as env:
        tools = tools_of(env)
        assert set(tools) == {"simulate", "submit"}
        for name, tool in tools.items():
            schema = get_json_schema(tool)["function"]
            assert schema["name"] == name
            assert schema["parameters"]["required"] == ["solution"]


async def test_a_scripted_rollout_is_rewarded_by_the_simrunner(simrunner: Settings) -> None:
    import asyncio

    (row,) = dataset(["example:ball_to_goal:0"])
    env = ArenaEnvironment(simrunner)
    calls: list[tuple[str, dict[str, Any], str]] = []

    def call(name: str, arguments: dict[str, Any]) -> str:
        answer: str = tools_of(env)[name](**arguments)
        calls.append((name, arguments, answer))
        return answer

    try:
        observation = await asyncio.to_thread(env.reset, **row)
        await asyncio.to_thread(scripted_policy, observation, call)
        reward = env.get_reward()
    finally:
        await asyncio.to_thread(env.__exit__)
    assert [c[0] for c in calls] == ["simulate", "simulate", "submit"]
    submitted = json.loads(calls[-1][2])
    assert reward == submitted["reward"] and 0.0 < reward <= 1.0
    with ArenaEnvironment(simrunner) as again:
        again.reset(**row)
        assert json.loads(again.simulate("{not json"))["error"].startswith("not a valid")
        assert again.get_reward() == 0.0


def test_the_environment_needs_a_bus(tmp_path: Any) -> None:
    with pytest.raises(EnvironmentNotReady, match="ARENA_NATS_URL"):
        ArenaEnvironment(Settings(home=tmp_path))
