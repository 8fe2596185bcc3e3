"""The offline policy: an agent's algorithm answers, observed like a model."""

from __future__ import annotations

import pytest

from arena_core.events.llm import (
    LlmCallCompleted,
    LlmCallFailed,
    LlmFailureReason,
    Message,
    TextBlock,
    ToolUseBlock,
)
from arena_core.llm import Conversation, LlmError, ToolRegistry, make_llm
from arena_core.settings import Settings
from tests.llm.conftest import Emitted
from tests.llm.deciders import chatty, engineer, size_beam


def beam_tools() -> ToolRegistry:
    tools = ToolRegistry()
    tools.tool()(size_beam)
    return tools


async def solve(settings: Settings, emitted: Emitted) -> list[LlmCallCompleted]:
    llm = make_llm(settings, deciders={"engineer": engineer}, emit=emitted)
    conversation = Conversation(
        llm,
        agent_role="engineer",
        system="Size the beam.",
        tools=beam_tools(),
        conversation_id="job-7/engineer",
    )
    conversation.add_user("Carry 50 N.")
    await conversation.run()
    return emitted.of(LlmCallCompleted)


def answers(calls: list[LlmCallCompleted]) -> list[object]:
    return [(c.request_hash, c.content, c.usage) for c in calls]


async def test_the_same_seed_gives_identical_calls(offline_settings: Settings) -> None:
    first, second = Emitted(), Emitted()

    runs = [await solve(offline_settings, first), await solve(offline_settings, second)]

    assert len(runs[0]) == 2
    assert answers(runs[0]) == answers(runs[1])


async def test_another_seed_gives_another_search(offline_settings: Settings) -> None:
    reseeded = offline_settings.model_copy(update={"llm_seed": 1})

    base = await solve(offline_settings, Emitted())
    other = await solve(reseeded, Emitted())

    assert base[0].tool_uses[0].input != other[0].tool_uses[0].input


async def test_offline_calls_cost_nothing_and_estimate_tokens(
    offline_settings: Settings, emitted: Emitted
) -> None:
    calls = await solve(offline_settings, emitted)

    assert all(c.policy == "offline" and c.cost_usd == 0 for c in calls)
    assert all(c.usage.input_tokens > 0 and c.usage.output_tokens > 0 for c in calls)
    assert calls[0].stop_reason == "tool_use"
    assert calls[1].stop_reason == "end_turn"


async def test_a_role_without_a_decider_fails_with_a_typed_reason(
    offline_settings: Settings, emitted: Emitted
) -> None:
    llm = make_llm(offline_settings, deciders={"engineer": engineer}, emit=emitted)
    user = Message(role="user", content=(TextBlock(text="review"),))

    with pytest.raises(LlmError) as caught:
        await llm.call(
            conversation_id="c", turn_index=0, agent_role="critic", system="s", messages=[user]
        )

    assert caught.value.reason is LlmFailureReason.no_decider
    assert emitted.of(LlmCallFailed)[0].reason is LlmFailureReason.no_decider


async def test_a_decider_calling_a_tool_it_was_not_offered_is_a_decider_error(
    offline_settings: Settings, emitted: Emitted
) -> None:
    llm = make_llm(offline_settings, deciders={"engineer": engineer}, emit=emitted)
    conversation = Conversation(llm, agent_role="engineer", system="no tools here")
    conversation.add_user("Carry 50 N.")

    with pytest.raises(LlmError) as caught:
        await conversation.send()

    assert caught.value.reason is LlmFailureReason.decider_error
    assert "size_beam" in caught.value.detail


async def test_the_same_request_gets_the_same_random_stream(
    offline_settings: Settings,
) -> None:
    texts = []
    for _ in range(2):
        llm = make_llm(offline_settings, deciders={"scribe": chatty}, emit=Emitted())
        reply = await llm.call(
            conversation_id="c",
            turn_index=0,
            agent_role="scribe",
            system="s",
            messages=[Message(role="user", content=(TextBlock(text="hi"),))],
        )
        texts.append(reply.text)

    assert texts[0] == texts[1]
    assert not any(isinstance(b, ToolUseBlock) for b in reply.content)
