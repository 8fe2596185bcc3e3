"""Training-row shapes: one recorded LLM call and its answer -> one JSON-ready row.

The shapes read the request and answer as the recorder stored them: the JSON of a
validated ``llm.call.requested`` / ``llm.call.completed`` payload. They were validated
when recorded, so the export reads them as plain JSON instead of validating every
(whole-history) request again; the typed dicts below name the parts it reads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, TypedDict

import orjson


class ExportFormat(StrEnum):
    """Dataset formats of ``arena export``."""

    sft_openai = "sft-openai"
    sft_trl = "sft-trl"
    sft_anthropic = "sft-anthropic"
    grpo = "grpo"
    preferences = "preferences"
    events = "events"


SFT_FORMATS = frozenset({ExportFormat.sft_openai, ExportFormat.sft_trl, ExportFormat.sft_anthropic})


class BlockJson(TypedDict, total=False):
    """A content block (``TextBlock``, ``ToolUseBlock`` or ``ToolResultBlock``) as JSON."""

    type: Literal["text", "tool_use", "tool_result"]
    text: str
    id: str
    name: str
    input: dict[str, Any]
    tool_use_id: str
    content: str
    is_error: bool


class MessageJson(TypedDict):
    """A ``Message`` as JSON."""

    role: Literal["user", "assistant"]
    content: list[BlockJson]


class ToolJson(TypedDict):
    """A ``ToolSchema`` as JSON."""

    name: str
    description: str
    input_schema: dict[str, Any]


class PromptJson(TypedDict):
    """A ``PromptRef`` as JSON."""

    id: str
    role: str
    version: str


class RequestJson(TypedDict):
    """The parts of a recorded ``llm.call.requested`` payload the export reads."""

    model: str
    prompt: PromptJson | None
    system: str
    messages: list[MessageJson]
    tools: list[ToolJson]


class AnswerJson(TypedDict):
    """The part of a recorded ``llm.call.completed`` payload the export reads."""

    content: list[BlockJson]


class Source(TypedDict):
    """Where a row comes from, besides its request: the conversation and its outcome."""

    run_id: str
    conversation_id: str
    agent_role: str
    outcome: str | None
    seqs: list[int]
    """Sequences of every recorded request and answer of the conversation."""


def provenance(request: RequestJson, source: Source) -> dict[str, Any]:
    """Where a row came from: enough to find every recorded message behind it."""
    prompt = request["prompt"]
    return {
        "run_id": source["run_id"],
        "conversation_id": source["conversation_id"],
        "agent_role": source["agent_role"],
        "model": request["model"],
        "prompt_id": prompt["id"] if prompt else None,
        "prompt_version": prompt["version"] if prompt else None,
        "outcome": source["outcome"],
        "seqs": source["seqs"],
    }


def _openai_tools(tools: list[ToolJson]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": t["name"],
                "description": t["description"],
                # A JSON string keeps the column type stable across rows with different schemas.
                "parameters": orjson.dumps(t["input_schema"]).decode(),
            },
        }
        for t in tools
    ]


def _openai_messages(
    system: str, history: list[MessageJson], arguments_as_text: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for m in history:
        texts: list[str] = []
        if m["role"] == "assistant":
            calls: list[dict[str, Any]] = []
            for b in m["content"]:
                if b["type"] == "text":
                    texts.append(b["text"])
                elif b["type"] == "tool_use":
                    args = orjson.dumps(b["input"]).decode() if arguments_as_text else b["input"]
                    calls.append(
                        {"id": b["id"], "type": "function",
                         "function": {"name": b["name"], "arguments": args}}
                    )  # fmt: skip
            msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
            if calls:
                msg["tool_calls"] = calls
            out.append(msg)
            continue
        for b in m["content"]:
            if b["type"] == "tool_result":
                out.append(
                    {"role": "tool", "tool_call_id": b["tool_use_id"], "content": b["content"]}
                )
            elif b["type"] == "text":
                texts.append(b["text"])
        if texts:
            out.append({"role": "user", "content": "\n".join(texts)})
    return out


def _history(request: RequestJson, answer: AnswerJson) -> list[MessageJson]:
    return [*request["messages"], {"role": "assistant", "content": answer["content"]}]


def sft_openai(request: RequestJson, answer: AnswerJson, source: Source) -> dict[str, Any]:
    """``{"messages", "tools"}`` with ``arguments`` as JSON text, ``tool_call_id`` on tools."""
    return {
        "messages": _openai_messages(request["system"], _history(request, answer), True),
        "tools": _openai_tools(request["tools"]),
        "provenance": provenance(request, source),
    }


def sft_trl(request: RequestJson, answer: AnswerJson, source: Source) -> dict[str, Any]:
    """TRL's conversational format: tool call arguments as objects."""
    return {
        "messages": _openai_messages(request["system"], _history(request, answer), False),
        "tools": _openai_tools(request["tools"]),
        "provenance": provenance(request, source),
    }


def sft_anthropic(request: RequestJson, answer: AnswerJson, source: Source) -> dict[str, Any]:
    """``{"system", "messages"}`` with tool_use/tool_result blocks and alternating roles."""
    messages: list[dict[str, Any]] = []
    for m in _history(request, answer):
        if messages and messages[-1]["role"] == m["role"]:
            messages[-1]["content"].extend(m["content"])  # merge to keep roles alternating
        else:
            messages.append({"role": m["role"], "content": list(m["content"])})
    return {
        "system": request["system"],
        "messages": messages,
        "tools": [
            {
                "name": t["name"],
                "description": t["description"],
                "input_schema": orjson.dumps(t["input_schema"]).decode(),
            }
            for t in request["tools"]
        ],
        "provenance": provenance(request, source),
    }
