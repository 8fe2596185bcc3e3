"""The offline engineer honours the team settings a solve job carries."""

from __future__ import annotations

import random

import orjson

from arena_core.events.llm import (
    CallParameters,
    Message,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
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


def _drive(settings: TeamSettings, passed: bool, worst_share: float) -> list[ToolUseBlock]:
    """Every tool use of a search whose designs all pass (or all fail) with the slowest
    copy at ``worst_share`` of the time limit; the critic asks for revisions."""
    spec = spec_from_draft(family("ball_to_goal").draw(3, 2))
    task = Task(benchmark_id="b", spec=spec, settings=settings)
    messages = [Message(role="user", content=(TextBlock(text=brief("Solve it.", task)),))]
    used: list[ToolUseBlock] = []
    for turn in range(60):
        request = LlmRequest(
            conversation_id="c", turn_index=turn, agent_role="engineer", model="offline",
            parameters=CallParameters(max_tokens=10), system="s", messages=tuple(messages),
        )  # fmt: skip
        blocks = engineer_decider(request, random.Random(0))
        uses = [b for b in blocks if isinstance(b, ToolUseBlock)]
        if not uses:
            break
        used += uses
        previews = [u for u in uses if u.name == "simulate_preview"]
        ids = iter(previews[0].input["design_ids"] if previews else [])
        results = []
        for u in uses:
            if u.name == "run_cad":
                answer: object = {"ok": True, "design_id": next(ids)}
            elif u.name == "simulate_preview":
                answer = [
                    {"design_id": d, "passed": passed, "success_rate": float(passed),
                     "violations": [], "distance_to_goal_m": 0.0,
                     "worst_time_to_goal_s": worst_share * spec.duration_s}
                    for d in u.input["design_ids"]
                ]  # fmt: skip
            elif u.name == "submit":
                answer = {"decision": "revise", "reasons": []}
            else:
                answer = "ok"
            results.append(ToolResultBlock(tool_use_id=u.id, content=orjson.dumps(answer).decode()))
        messages += [
            Message(role="assistant", content=tuple(blocks)),
            Message(role="user", content=tuple(results)),
        ]
    return used


def _searches(uses: list[ToolUseBlock]) -> int:
    return sum(1 for u in uses if u.name == "simulate_preview" and not u.input.get("stress"))


def test_the_search_stops_after_the_settings_generations() -> None:
    for generations in (2, 4):
        knobs = TeamSettings(use_skills=False, population=2, generations=generations)
        assert _searches(_drive(knobs, passed=False, worst_share=0.5)) == generations


def test_a_passing_design_is_stress_tested_only_when_the_settings_say_so() -> None:
    tested = _drive(TeamSettings(use_skills=False, population=2), passed=True, worst_share=0.5)
    untested = _drive(TeamSettings(use_skills=False, population=2, stress_test=False), True, 0.5)
    after = [u.name for u in tested][[u.name for u in tested].index("simulate_preview") + 1 :]
    assert after[0] == "simulate_preview" and tested[len(tested) - len(after)].input["stress"]
    assert not any(u.input.get("stress") for u in untested)
    assert "submit" in [u.name for u in untested]


def test_the_time_margin_decides_which_passes_are_good_enough() -> None:
    loose = _drive(TeamSettings(use_skills=False, population=2, generations=3), True, 0.8)
    tight = _drive(
        TeamSettings(use_skills=False, population=2, generations=3, time_margin=0.7), True, 0.8
    )
    assert any(u.name == "submit" for u in loose)
    assert not any(u.name == "submit" for u in tight) and _searches(tight) == 3


def test_a_population_above_one_previews_limit_is_searched_at_the_limit() -> None:
    uses = _first_turn(TeamSettings(use_skills=False, population=12))
    assert len(uses[-1].input["design_ids"]) == 8
