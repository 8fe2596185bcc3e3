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


async def test_with_claude_a_cheap_model_can_reject_a_variant_with_its_reason(
    tmp_path: Path,
) -> None:
    from arena_core.events.optimizer import GuardName
    from optimizer.sanity import MODEL, model_verdict
    from tests.llm.conftest import API_KEY
    from tests.llm.fake_messages_api import FakeMessagesApi, message

    api = FakeMessagesApi()
    api.script = [
        message([{"type": "text", "text": "REJECT: it no longer says how to submit"}]),
        message([{"type": "text", "text": "OK"}]),
    ]
    with api.serving():
        settings = Settings(
            home=tmp_path, anthropic_api_key=API_KEY, anthropic_base_url=api.url,
            llm="anthropic", llm_timeout_s=5,
        )  # fmt: skip
        llm = make_llm(settings, emit=_sink())
        parent = packaged_profile("engineer").template
        rejected = await model_verdict(llm, "sanity-a", parent + "\n- x", parent)
        passed = await model_verdict(llm, "sanity-b", parent + "\n- y", parent)
    assert rejected.guard is GuardName.sanity
    assert rejected.problems == ("model: it no longer says how to submit",)
    assert passed.passed
    assert [r.body["model"] for r in api.received] == [MODEL, MODEL]


def _sink():  # type: ignore[no-untyped-def]
    async def emit(payload: Payload) -> None:
        return None

    return emit
