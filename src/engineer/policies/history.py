"""Reading a conversation back: the tool calls an agent made and what they returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from arena_core.events.llm import ToolResultBlock, ToolUseBlock
from arena_core.llm import LlmRequest


@dataclass(frozen=True)
class Call:
    name: str
    input: dict[str, Any]
    result: Any
    """The result decoded from JSON (text when it is not JSON)."""
    is_error: bool


def calls(request: LlmRequest) -> list[Call]:
    """Every tool call of the conversation so far, in order, with its result."""
    uses: dict[str, ToolUseBlock] = {}
    found: list[Call] = []
    for message in request.messages:
        for block in message.content:
            if isinstance(block, ToolUseBlock):
                uses[block.id] = block
            elif isinstance(block, ToolResultBlock) and block.tool_use_id in uses:
                use = uses[block.tool_use_id]
                try:
                    result = orjson.loads(block.content)
                except orjson.JSONDecodeError:
                    result = block.content
                found.append(Call(use.name, dict(use.input), result, block.is_error))
    return found
