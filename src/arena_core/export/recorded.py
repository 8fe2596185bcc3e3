"""Recorded payloads as the export reads them.

Most payloads are decoded into their typed models (``payload``). The LLM calls behind
every row are the exception: a request carries the whole conversation so far, it was
validated when it was recorded, and validating it again into models cost the export
more than everything else together. Those are read as plain JSON instead, and the typed
dicts below name every part the formats read (the fields of ``LlmCallRequested``,
``LlmCallCompleted``, ``Message`` and the content blocks).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, TypeVar

from arena_core.events.envelope import Envelope, Payload
from arena_core.events.registry import registry

P = TypeVar("P", bound=Payload)


def payload(body: bytes, model: type[P]) -> P:
    """The payload of a recorded envelope, validated as ``model``."""
    envelope: Envelope[P] = registry.envelope_model(model.EVENT_TYPE).model_validate_json(body)
    return envelope.payload


class BlockJson(TypedDict, total=False):
    """A ``TextBlock``, ``ToolUseBlock`` or ``ToolResultBlock`` as recorded."""

    type: Literal["text", "tool_use", "tool_result"]
    text: str
    id: str
    name: str
    input: dict[str, Any]
    tool_use_id: str
    content: str
    is_error: bool


class MessageJson(TypedDict):
    """A ``Message`` as recorded."""

    role: Literal["user", "assistant"]
    content: list[BlockJson]


class ToolJson(TypedDict):
    """A ``ToolSchema`` as recorded."""

    name: str
    description: str
    input_schema: dict[str, Any]


class PromptJson(TypedDict):
    """A ``PromptRef`` as recorded."""

    id: str
    role: str
    version: str


class ParametersJson(TypedDict, total=False):
    """``CallParameters`` as recorded (``seed`` is absent from older recordings)."""

    seed: int | None


class RequestJson(TypedDict):
    """An ``llm.call.requested`` payload as recorded (the parts the export reads)."""

    model: str
    prompt: PromptJson | None
    parameters: ParametersJson
    system: str
    messages: list[MessageJson]
    tools: list[ToolJson]


class AnswerJson(TypedDict):
    """An ``llm.call.completed`` payload as recorded (the parts the export reads)."""

    agent_role: str
    model: str
    policy: str
    content: list[BlockJson]
