"""Recorded payloads as the export reads them.

Most payloads are decoded into their typed models (``recorded_payload`` of
``arena_core.events.registry``). The LLM calls behind every row are the exception: a
request carries the whole conversation so far, it was validated when it was recorded,
and validating it again into models cost the export more than everything else together.
Those are read as plain JSON instead, and the typed dicts below name every part the
formats read (the fields of ``LlmCallRequested``, ``LlmCallCompleted``, ``Message`` and
the content blocks).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import orjson


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


TOOLS_KEY = b',"tools":'
"""How the last field of a recorded request (``LlmCallRequested.tools``) begins."""


class RequestDecoder:
    """Decodes recorded requests, each distinct ``tools`` list once.

    Every call of a role carries the same tool schemas (often a third of the request);
    once a tools list has been decoded, a request that ends with the same bytes has only
    the rest decoded. The split is sure: the head plus ``}`` parses only when the key is
    the request's own (a nested ``"tools"`` would leave a bracket open), and the tail
    must equal a tools list already decoded whole. Anything else is decoded whole.
    """

    def __init__(self) -> None:
        self._tools: dict[bytes, list[ToolJson]] = {}

    def __call__(self, raw: str | bytes) -> RequestJson:
        data = raw.encode() if isinstance(raw, str) else raw
        cut = data.rfind(TOOLS_KEY)
        known = self._tools.get(data[cut + len(TOOLS_KEY) : -1]) if cut > 0 else None
        if known is not None:
            try:
                head: dict[str, Any] = orjson.loads(data[:cut] + b"}")
            except orjson.JSONDecodeError:
                pass
            else:
                head["tools"] = known
                return head  # type: ignore[return-value]
        request: RequestJson = orjson.loads(data)
        self._remember(data, request["tools"])
        return request

    def _remember(self, data: bytes, tools: list[ToolJson]) -> None:
        cut = len(data)
        while (cut := data.rfind(TOOLS_KEY, 0, cut)) > 0:
            tail = data[cut + len(TOOLS_KEY) : -1]
            try:
                if orjson.loads(tail) == tools:
                    self._tools[tail] = tools
                    return
            except orjson.JSONDecodeError:
                continue
