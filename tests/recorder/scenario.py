"""A small but complete recorded run: a batch job, its children, an agent's conversation."""

from __future__ import annotations

from typing import Any

from arena_core.bus import Bus
from arena_core.events import AgentRef, Envelope
from arena_core.events.agent import AgentThoughtRecorded, AgentToolCompleted
from arena_core.events.llm import (
    CallParameters,
    LlmCallCompleted,
    LlmCallRequested,
    Message,
    TextBlock,
    ToolResultBlock,
    ToolSchema,
    ToolUseBlock,
    Usage,
)
from tests.recorder.recording import SampleJobCompleted, SampleJobFailed, SampleJobRequested

ENGINEER = AgentRef(role="engineer", id="engineer-1")
TOOL = ToolSchema(
    name="measure",
    description="Measure a part.",
    input_schema={"type": "object", "properties": {"part": {"type": "string"}}},
)


def llm_turns(
    conversation_id: str, turns: int, *, skip: int | None = None, answer: str = "done"
) -> list[tuple[LlmCallRequested, LlmCallCompleted]]:
    """``turns`` calls of a tool-using conversation (optionally without turn ``skip``)."""
    history: list[Message] = [Message(role="user", content=(TextBlock(text="Design a cup."),))]
    out = []
    for i in range(turns):
        last = i == turns - 1
        content: tuple[Any, ...] = (
            (TextBlock(text=answer),)
            if last
            else (TextBlock(text=f"measuring {i}"),
                  ToolUseBlock(id=f"tu{i}", name="measure", input={"part": f"p{i}"}))
        )  # fmt: skip
        req = LlmCallRequested(
            conversation_id=conversation_id, turn_index=i, agent_role="engineer", model="m1",
            policy="offline", request_hash=f"{i:064x}", parameters=CallParameters(max_tokens=64),
            system="You are an engineer.", messages=tuple(history), tools=(TOOL,),
        )  # fmt: skip
        done = LlmCallCompleted(
            conversation_id=conversation_id, turn_index=i, agent_role="engineer", model="m1",
            policy="offline", request_hash=req.request_hash, content=content,
            stop_reason="end_turn" if last else "tool_use",
            usage=Usage(input_tokens=100, output_tokens=10), cost_usd=0.01, latency_s=0.5,
        )  # fmt: skip
        if i != skip:
            out.append((req, done))
        history += [
            Message(role="assistant", content=content),
            Message(role="user", content=(ToolResultBlock(tool_use_id=f"tu{i}", content="3 cm"),)),
        ]
    return out


async def publish_run(
    bus: Bus,
    run_id: str,
    *,
    conversation_id: str = "conv-1",
    skip_turn: int | None = None,
    child_fails: bool = True,
    answer: str = "done",
) -> dict[str, Any]:
    """Publish a batch job with two children and a 3-turn conversation under ``run_id``."""
    parent = Envelope.new(SampleJobRequested(task="batch"), run_id=run_id)
    await bus.publish(parent)
    children = [
        parent.follow(SampleJobRequested(task=f"child {i}", parent_job_id=parent.id))
        for i in range(2)
    ]
    await bus.publish_many(children)
    for req, done in llm_turns(conversation_id, 3, skip=skip_turn, answer=answer):
        r = children[0].follow(req, agent=ENGINEER)
        await bus.publish(r)
        await bus.publish(r.follow(done, agent=ENGINEER))
        if req.turn_index == 0:
            await bus.publish(r.follow(AgentThoughtRecorded(
                conversation_id=conversation_id, turn_index=0, agent_role="engineer",
                text="A cup needs a handle."), agent=ENGINEER))  # fmt: skip
            await bus.publish(r.follow(AgentToolCompleted(
                conversation_id=conversation_id, turn_index=0, agent_role="engineer",
                tool_use_id="tu0", tool_name="measure", arguments={"part": "p0"},
                result="3 cm", duration_s=0.1), agent=ENGINEER))  # fmt: skip
    await bus.publish(
        children[0]
        .follow(SampleJobCompleted(result="ok", sim_time_s=2.5))
        .with_ids(causation_id=children[0].id)
    )
    final: Any = SampleJobFailed(reason="broke") if child_fails else SampleJobCompleted(result="ok")
    await bus.publish(children[1].follow(final))
    return {"parent": parent, "children": children}
