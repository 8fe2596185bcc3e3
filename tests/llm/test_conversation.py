"""Conversation: turns, the tool-use loop, and the agent.* events it emits."""

from __future__ import annotations

import random

import pytest
from pydantic import BaseModel

from arena_core.events.agent import (
    AgentThoughtRecorded,
    AgentToolCalled,
    AgentToolCompleted,
    ToolErrorKind,
)
from arena_core.events.llm import TextBlock, ToolResultBlock, ToolUseBlock
from arena_core.llm import (
    Conversation,
    Decision,
    LlmRequest,
    ToolError,
    ToolRegistry,
    TurnLimitReached,
    make_llm,
    tool_use_id,
)
from arena_core.settings import Settings
from tests.llm.conftest import Emitted
from tests.llm.deciders import engineer, size_beam


class Quote(BaseModel):
    """Arguments of ``quote``."""

    part: str


def tools() -> ToolRegistry:
    registry = ToolRegistry()
    registry.tool()(size_beam)

    @registry.tool(description="Price a part.")
    async def quote(args: Quote) -> str:
        if args.part == "unobtainium":
            raise ToolError("no supplier stocks unobtainium")
        if args.part == "bug":
            raise ZeroDivisionError("division by zero")
        return f"{args.part}: $4"

    return registry


def calls_then_stops(*calls: tuple[str, dict[str, object]]) -> object:
    """A decider that makes ``calls`` in one turn, then ends with text."""

    def decide(request: LlmRequest, rng: random.Random) -> Decision:
        if request.turn_index > 0:
            return [TextBlock(text="done")]
        return [
            ToolUseBlock(id=tool_use_id(request, i), name=name, input=args)  # type: ignore[arg-type]
            for i, (name, args) in enumerate(calls)
        ]

    return decide


async def run(
    settings: Settings, emitted: Emitted, decider: object, max_turns: int = 5
) -> Conversation:
    llm = make_llm(settings, deciders={"engineer": decider}, emit=emitted)  # type: ignore[dict-item]
    conversation = Conversation(llm, agent_role="engineer", system="s", tools=tools())
    conversation.add_user("go")
    await conversation.run(max_turns=max_turns)
    return conversation


async def test_the_loop_runs_tools_until_the_model_stops(
    offline_settings: Settings, emitted: Emitted
) -> None:
    conversation = await run(offline_settings, emitted, engineer)

    assert conversation.turn_index == 2
    assert [m.role for m in conversation.messages] == ["user", "assistant", "user", "assistant"]
    result = conversation.messages[2].content[0]
    assert isinstance(result, ToolResultBlock)
    assert '"height_mm"' in result.content
    assert emitted.types == [
        "llm.call.requested",
        "llm.call.completed",
        "run.totals.updated",
        "agent.thought.recorded",
        "agent.tool.called",
        "agent.tool.completed",
        "llm.call.requested",
        "llm.call.completed",
        "run.totals.updated",
        "agent.thought.recorded",
    ]


async def test_tool_events_carry_the_call_and_its_result(
    offline_settings: Settings, emitted: Emitted
) -> None:
    conversation = await run(offline_settings, emitted, engineer)

    called = emitted.of(AgentToolCalled)[0]
    completed = emitted.of(AgentToolCompleted)[0]
    assert (called.tool_name, called.turn_index) == ("size_beam", 0)
    assert called.conversation_id == conversation.conversation_id
    assert completed.tool_use_id == called.tool_use_id
    assert completed.arguments == called.arguments
    assert not completed.is_error
    assert completed.duration_s >= 0
    assert emitted.of(AgentThoughtRecorded)[0].text.startswith("Trying a")


@pytest.mark.parametrize(
    ("call", "kind", "says"),
    [
        (("quote", {"part": 3}), ToolErrorKind.invalid_arguments, "part"),
        (("quote", {"part": "unobtainium"}), ToolErrorKind.tool_error, "no supplier"),
        (("quote", {"part": "bug"}), ToolErrorKind.tool_crashed, "ZeroDivisionError"),
        (("size_beam", {"length_mm": -1, "load_n": 1}), ToolErrorKind.invalid_arguments, "0"),
    ],
)
async def test_a_failing_tool_call_goes_back_to_the_model_as_an_error_result(
    offline_settings: Settings,
    emitted: Emitted,
    call: tuple[str, dict[str, object]],
    kind: ToolErrorKind,
    says: str,
) -> None:
    conversation = await run(offline_settings, emitted, calls_then_stops(call))

    completed = emitted.of(AgentToolCompleted)[0]
    assert (completed.is_error, completed.error_kind) == (True, kind)
    assert says in completed.result
    result = conversation.messages[2].content[0]
    assert isinstance(result, ToolResultBlock) and result.is_error


async def test_a_tool_the_registry_lacks_is_an_unknown_tool_result(
    offline_settings: Settings, emitted: Emitted
) -> None:
    registry = tools()
    outcome = await registry.execute(ToolUseBlock(id="t", name="teleport", input={}))

    assert outcome.error_kind is ToolErrorKind.unknown_tool
    assert "size_beam" in outcome.result


async def test_a_model_that_never_stops_calling_tools_hits_the_turn_limit(
    offline_settings: Settings, emitted: Emitted
) -> None:
    def forever(request: LlmRequest, rng: random.Random) -> Decision:
        return [ToolUseBlock(id=tool_use_id(request, 0), name="quote", input={"part": "x"})]

    with pytest.raises(TurnLimitReached):
        await run(offline_settings, emitted, forever, max_turns=3)

    assert len(emitted.of(AgentToolCompleted)) == 3


def test_a_tool_schema_is_its_input_model_json_schema() -> None:
    schema = {s.name: s for s in tools().schemas()}["size_beam"]

    assert schema.input_schema["required"] == ["length_mm", "load_n"]
    assert schema.description.startswith("Size a cantilever")


def test_a_tool_needs_a_model_annotated_parameter() -> None:
    with pytest.raises(TypeError, match="pydantic model"):
        ToolRegistry().tool()(lambda x: "no annotation")
