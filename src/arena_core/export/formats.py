"""Training-row shapes: one conversation (or prompt group) -> one JSON-ready row."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson

from arena_core.events.llm import LlmCallCompleted, Message, TextBlock, ToolSchema, ToolUseBlock
from arena_core.replay.conversations import Conversation, Turn


class ExportFormat(StrEnum):
    """Dataset formats of ``arena export``."""

    sft_openai = "sft-openai"
    sft_trl = "sft-trl"
    sft_anthropic = "sft-anthropic"
    grpo = "grpo"
    preferences = "preferences"
    events = "events"


SFT_FORMATS = frozenset({ExportFormat.sft_openai, ExportFormat.sft_trl, ExportFormat.sft_anthropic})


def final_turn(conv: Conversation) -> tuple[Turn, LlmCallCompleted] | None:
    """The last answered turn: its request holds the whole history before the answer."""
    for turn in reversed(conv.turns):
        if isinstance(turn.response, LlmCallCompleted):
            return turn, turn.response
    return None


def provenance(
    conv: Conversation, outcome: str | None, seqs: list[int] | None = None
) -> dict[str, Any]:
    """Where a row came from: enough to find every recorded message behind it."""
    first = conv.turns[0].request
    if seqs is None:
        seqs = []
        for t in conv.turns:
            seqs.append(t.request_seq)
            if t.response_seq is not None:
                seqs.append(t.response_seq)
    return {
        "run_id": conv.run_id,
        "conversation_id": conv.conversation_id,
        "agent_role": conv.agent_role,
        "model": first.model,
        "prompt_id": first.prompt.id if first.prompt else None,
        "prompt_version": first.prompt.version if first.prompt else None,
        "outcome": outcome,
        "seqs": seqs,
    }


def _openai_tools(tools: tuple[ToolSchema, ...]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                # A JSON string keeps the column type stable across rows with different schemas.
                "parameters": orjson.dumps(t.input_schema).decode(),
            },
        }
        for t in tools
    ]


def _openai_messages(
    system: str, history: list[Message], arguments_as_text: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for m in history:
        if m.role == "assistant":
            text = "".join(b.text for b in m.content if isinstance(b, TextBlock))
            calls = [
                {
                    "id": b.id,
                    "type": "function",
                    "function": {
                        "name": b.name,
                        "arguments": orjson.dumps(b.input).decode()
                        if arguments_as_text
                        else b.input,
                    },
                }
                for b in m.content
                if isinstance(b, ToolUseBlock)
            ]
            msg: dict[str, Any] = {"role": "assistant", "content": text or None}
            if calls:
                msg["tool_calls"] = calls
            out.append(msg)
            continue
        texts = []
        for b in m.content:
            if b.type == "tool_result":
                out.append({"role": "tool", "tool_call_id": b.tool_use_id, "content": b.content})
            elif isinstance(b, TextBlock):
                texts.append(b.text)
        if texts:
            out.append({"role": "user", "content": "\n".join(texts)})
    return out


def _history(turn: Turn, answer: LlmCallCompleted) -> list[Message]:
    return [*turn.request.messages, Message(role="assistant", content=answer.content)]


def sft_openai(
    conv: Conversation, outcome: str | None, seqs: list[int] | None = None
) -> dict[str, Any] | None:
    """``{"messages", "tools"}`` with ``arguments`` as JSON text, ``tool_call_id`` on tools."""
    found = final_turn(conv)
    if found is None:
        return None
    turn, answer = found
    return {
        "messages": _openai_messages(turn.request.system, _history(turn, answer), True),
        "tools": _openai_tools(turn.request.tools),
        "provenance": provenance(conv, outcome, seqs),
    }


def sft_trl(
    conv: Conversation, outcome: str | None, seqs: list[int] | None = None
) -> dict[str, Any] | None:
    """TRL's conversational format: tool call arguments as objects."""
    found = final_turn(conv)
    if found is None:
        return None
    turn, answer = found
    return {
        "messages": _openai_messages(turn.request.system, _history(turn, answer), False),
        "tools": _openai_tools(turn.request.tools),
        "provenance": provenance(conv, outcome, seqs),
    }


def sft_anthropic(
    conv: Conversation, outcome: str | None, seqs: list[int] | None = None
) -> dict[str, Any] | None:
    """``{"system", "messages"}`` with tool_use/tool_result blocks and alternating roles."""
    found = final_turn(conv)
    if found is None:
        return None
    turn, answer = found
    messages: list[dict[str, Any]] = []
    for m in _history(turn, answer):
        blocks = [b.model_dump(mode="json") for b in m.content]
        if messages and messages[-1]["role"] == m.role:
            messages[-1]["content"].extend(blocks)  # merge to keep roles alternating
        else:
            messages.append({"role": m.role, "content": blocks})
    return {
        "system": turn.request.system,
        "messages": messages,
        "tools": [
            {
                "name": t.name,
                "description": t.description,
                "input_schema": orjson.dumps(t.input_schema).decode(),
            }
            for t in turn.request.tools
        ],
        "provenance": provenance(conv, outcome, seqs),
    }
