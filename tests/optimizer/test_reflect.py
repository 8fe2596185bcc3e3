"""Reflection: one recorded LLM call of the optimizer role proposes instructions."""

from __future__ import annotations

from pathlib import Path

from arena_core.events import Payload
from arena_core.events.llm import LlmCallCompleted, LlmCallRequested
from arena_core.llm import make_llm
from arena_core.profiles import packaged_profile
from arena_core.settings import Settings
from optimizer.library import mine
from optimizer.reflect import DECIDERS, parse, reflect

REASONS = ["the goal was reached too late on the worst copy"] * 3 + ["cost 7.1 over budget 5"]


async def test_offline_reflection_proposes_the_library_lines_for_the_reasons_and_is_recorded(
    tmp_path: Path,
) -> None:
    seen: list[Payload] = []

    async def emit(payload: Payload) -> None:
        seen.append(payload)

    llm = make_llm(Settings(home=tmp_path, llm="offline"), deciders=DECIDERS, emit=emit)
    template = packaged_profile("engineer").template
    proposed = await reflect(llm, "optimizer-test", template, REASONS)
    assert proposed[0] == mine(REASONS)[0] and set(proposed) <= set(mine(REASONS))
    assert "time limit" in proposed[0]
    requested = [e for e in seen if isinstance(e, LlmCallRequested)]
    assert len(requested) == 1 and requested[0].agent_role == "optimizer"
    assert "too late" in requested[0].messages[0].content[0].text  # type: ignore[union-attr]
    assert any(isinstance(e, LlmCallCompleted) for e in seen)


def test_an_answer_is_read_as_bullets_without_template_syntax() -> None:
    answer = "Here you go:\n- Keep parts thin.\n* Check {{ spec }} first.\n- Stress-test early.\n"
    assert parse(answer) == ["Keep parts thin.", "Stress-test early."]
