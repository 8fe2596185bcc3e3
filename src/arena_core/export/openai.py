"""``sft-openai``: OpenAI's chat fine-tuning format with tools, one row per conversation.

``{"messages", "tools", "parallel_tool_calls", "provenance"}``: assistant ``tool_calls``
with ``id``, ``type: "function"`` and ``function.arguments`` as JSON text; ``tool``
messages with ``tool_call_id``; ``tools[].function.parameters`` as a JSON Schema object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from arena_core.export.conversations import Rollout, provenance
from arena_core.export.recorded import MessageJson, ToolJson


def tools(schemas: list[ToolJson]) -> list[dict[str, Any]]:
    """Function tools, parameters as JSON Schema objects."""
    return [
        {
            "type": "function",
            "function": {
                "name": t["name"],
                "description": t["description"],
                "parameters": t["input_schema"],
            },
        }
        for t in schemas
    ]


def history(rollout: Rollout) -> list[MessageJson]:
    """The conversation up to and including the final answer."""
    answer: MessageJson = {"role": "assistant", "content": rollout.answer["content"]}
    return [*rollout.request["messages"], answer]


def messages(
    system: str, turns: list[MessageJson], *, arguments_as_text: bool, tool_names: bool = False
) -> Iterator[dict[str, Any]]:
    """Chat messages: system, then users, assistants (with ``tool_calls``) and tools.

    ``arguments_as_text`` writes tool-call arguments as JSON text (OpenAI) instead of
    objects (TRL); ``tool_names`` names the tool on each tool message (chat templates
    that render tool results by name read it).
    """
    yield {"role": "system", "content": system}
    names: dict[str, str] = {}
    for m in turns:
        texts: list[str] = []
        if m["role"] == "assistant":
            calls: list[dict[str, Any]] = []
            for b in m["content"]:
                if b["type"] == "text":
                    texts.append(b["text"])
                elif b["type"] == "tool_use":
                    names[b["id"]] = b["name"]
                    args: Any = (
                        orjson.dumps(b["input"]).decode() if arguments_as_text else b["input"]
                    )
                    calls.append(
                        {"id": b["id"], "type": "function",
                         "function": {"name": b["name"], "arguments": args}}
                    )  # fmt: skip
            msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
            if calls:
                msg["tool_calls"] = calls
            yield msg
            continue
        for b in m["content"]:
            if b["type"] == "tool_result":
                tool: dict[str, Any] = {
                    "role": "tool", "tool_call_id": b["tool_use_id"], "content": b["content"],
                }  # fmt: skip
                if tool_names:
                    tool["name"] = names.get(b["tool_use_id"], "")
                yield tool
            elif b["type"] == "text":
                texts.append(b["text"])
        if texts:
            yield {"role": "user", "content": "\n".join(texts)}


def row(rollout: Rollout) -> dict[str, Any]:
    """One ``sft-openai`` row."""
    return {
        "messages": list(
            messages(rollout.request["system"], history(rollout), arguments_as_text=True)
        ),
        "tools": tools(rollout.request["tools"]),
        "parallel_tool_calls": True,
        "provenance": provenance(rollout),
    }
