"""What a policy is asked and what it answers."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import orjson
from pydantic import BaseModel, ConfigDict, Field

from arena_core.events.llm import (
    AssistantBlock,
    CallParameters,
    Message,
    PromptRef,
    StopReason,
    ToolSchema,
    Usage,
)


class LlmRequest(BaseModel):
    """One call: who asks, in which conversation and turn, and the full prompt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    conversation_id: str = Field(min_length=1, max_length=128)
    """The conversation this call belongs to."""
    turn_index: int = Field(ge=0)
    """Position of the call in its conversation."""
    agent_role: str = Field(min_length=1, max_length=64)
    """Role of the calling agent; the offline policy picks its decider by it."""
    prompt: PromptRef | None = None
    """The registered prompt that built ``system``, if any."""
    model: str = Field(min_length=1)
    """Model to ask."""
    parameters: CallParameters
    """Sampling parameters."""
    system: str
    """System prompt (the static, cacheable prefix)."""
    messages: tuple[Message, ...] = Field(min_length=1)
    """Conversation so far; the last message is the user's."""
    tools: tuple[ToolSchema, ...] = ()
    """Tools the model may call."""

    def canonical_json(self) -> bytes:
        """System, messages and tools as canonical JSON (sorted keys, no whitespace)."""
        return canonical_json(self.system, self.messages, self.tools)

    def hash(self) -> str:
        """SHA-256 of ``canonical_json``: equal exactly when the model would see the same."""
        return hashlib.sha256(self.canonical_json()).hexdigest()


def canonical_json(system: str, messages: Sequence[Message], tools: Sequence[ToolSchema]) -> bytes:
    document = {
        "system": system,
        "messages": [m.model_dump(mode="json") for m in messages],
        "tools": [t.model_dump(mode="json") for t in tools],
    }
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


class LlmAnswer(BaseModel):
    """What a policy returns for one request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    content: tuple[AssistantBlock, ...]
    """The assistant's blocks."""
    stop_reason: StopReason
    """Why generation stopped."""
    usage: Usage
    """Tokens consumed."""
    cost_usd: float = Field(default=0.0, ge=0)
    """Price of the call."""
    attempts: int = Field(default=1, ge=1)
    """HTTP attempts it took."""


def estimate_tokens(text: str | bytes) -> int:
    """A deterministic token estimate: one token per four UTF-8 bytes, rounded up."""
    size = len(text.encode() if isinstance(text, str) else text)
    return math.ceil(size / 4)
