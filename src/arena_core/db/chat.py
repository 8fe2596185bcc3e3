"""Recorded LLM calls as chat messages: OpenAI's fine-tuning shape (TRL's differs only in
tool-call arguments as objects and tool messages named by their tool).

The export renders whole conversations with these functions, and so does the
conversations projection when a turn's answer is recorded (``conversation_chats``), so
``sft-openai`` rows are written without decoding every history again. Both read the
recorded JSON (``arena_core.export.recorded`` names its parts), so both give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson


def tools(schemas: list[Any]) -> list[dict[str, Any]]:
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


def history(request: Mapping[str, Any], answer: Mapping[str, Any]) -> list[Any]:
    """The conversation of a recorded call up to and including its answer."""
    return [*request["messages"], {"role": "assistant", "content": answer["content"]}]


def messages(
    system: str, turns: list[Any], *, arguments_as_text: bool, tool_names: bool = False
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


def real_model(answer: Mapping[str, Any]) -> str:
    """The model that actually answered: the API model, or the offline role's algorithm."""
    return f"offline/{answer['agent_role']}" if answer["policy"] == "offline" else answer["model"]


def call(request: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """What a row's provenance says of the call behind it (policy, models, seed, prompt)."""
    prompt = request["prompt"]
    return {
        "policy": answer["policy"],
        "model": real_model(answer),
        "requested_model": request["model"],
        "seed": request["parameters"].get("seed"),
        "prompt_id": prompt["id"] if prompt else None,
        "prompt_version": prompt["version"] if prompt else None,
    }


def openai_chat(request: Mapping[str, Any], answer: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """A recorded call and its answer as OpenAI chat: the messages and the tools, as JSON."""
    chat = messages(request["system"], history(request, answer), arguments_as_text=True)
    return orjson.dumps(list(chat)), orjson.dumps(tools(request["tools"]))
