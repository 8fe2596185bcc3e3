"""The offline engineer honours the team settings a solve job carries."""

from __future__ import annotations

import random

from arena_core.events.llm import CallParameters, Message, TextBlock, ToolUseBlock
from arena_core.events.profiles import TeamSettings
from arena_core.llm import LlmRequest
from engineer.briefs import Task, brief
from engineer.policies.engineer import engineer_decider
from generator.families import family, spec_from_draft


def _first_turn(settings: TeamSettings) -> list[ToolUseBlock]:
    spec = spec_from_draft(family("ball_to_goal").draw(3, 2))
    task = Task(benchmark_id="b", spec=spec, settings=settings)
    request = LlmRequest(
        conversation_id="c", turn_index=0, agent_role="engineer", model="offline",
        parameters=CallParameters(max_tokens=10), system="s",
        messages=(Message(role="user", content=(TextBlock(text=brief("Solve it.", task)),)),),
    )  # fmt: skip
    blocks = engineer_decider(request, random.Random(0))
    return [b for b in blocks if isinstance(b, ToolUseBlock)]


def test_skills_are_read_first_unless_the_settings_say_not_to() -> None:
    assert [u.name for u in _first_turn(TeamSettings())] == ["read_skills"]
    names = [u.name for u in _first_turn(TeamSettings(use_skills=False))]
    assert "read_skills" not in names and names[-1] == "simulate_preview"


def test_the_search_simulates_the_settings_population_per_generation() -> None:
    for population in (2, 5):
        uses = _first_turn(TeamSettings(use_skills=False, population=population))
        assert len(uses[-1].input["design_ids"]) == population


def test_the_tool_call_limit_caps_a_generation() -> None:
    uses = _first_turn(TeamSettings(use_skills=False, population=8, max_tool_calls=4))
    assert len(uses[-1].input["design_ids"]) == 4
