"""LLM call events: the full request and response of every model call, keys redacted.

A call is identified by ``(conversation_id, turn_index)``: ``llm.call.requested`` carries
the whole request (system prompt, messages, tool schemas, parameters);
``llm.call.completed`` or ``llm.call.failed`` carries the outcome and the same
``request_hash``, so a recording can be paired, exported and replayed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, TypeAlias

from pydantic import Field, JsonValue

from arena_core.events.envelope import Payload
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.settings import LlmPolicyName

JsonObject: TypeAlias = dict[str, JsonValue]
"""A JSON object: a tool's arguments or its input schema (free-form by nature)."""

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]
"""Why the model stopped producing content."""

Role = Literal["user", "assistant"]
"""Who speaks a message; the system prompt travels separately."""


class _Part(Record):
    """Base of the blocks of a message."""


class TextBlock(_Part):
    """Plain text written by the user or the model."""

    type: Literal["text"] = "text"
    text: str
    """The text."""


class ToolUseBlock(_Part):
    """The model asks for a tool to be run with these arguments."""

    type: Literal["tool_use"] = "tool_use"
    id: str = Field(min_length=1, max_length=128)
    """Tool use id; the matching result carries it as ``tool_use_id``."""
    name: str = Field(min_length=1, max_length=128)
    """Name of the tool, as declared in the request's tool schemas."""
    input: JsonObject
    """The tool's arguments."""


class ToolResultBlock(_Part):
    """The outcome of a tool use, sent back to the model in a user message."""

    type: Literal["tool_result"] = "tool_result"
    tool_use_id: str = Field(min_length=1, max_length=128)
    """Id of the ``tool_use`` block this answers."""
    content: str
    """What the tool returned (text; structured results are JSON text)."""
    is_error: bool = False
    """True when the tool failed; ``content`` then explains why."""


ContentBlock = Annotated[TextBlock | ToolUseBlock | ToolResultBlock, Field(discriminator="type")]
"""Any block of a message."""

AssistantBlock = Annotated[TextBlock | ToolUseBlock, Field(discriminator="type")]
"""A block the model may produce."""


class Message(_Part):
    """One turn of the conversation."""

    role: Role
    """``user`` (including tool results) or ``assistant``."""
    content: tuple[ContentBlock, ...] = Field(min_length=1)
    """The blocks of the turn, in order."""


class ToolSchema(_Part):
    """A tool as the model sees it."""

    name: str = Field(min_length=1, max_length=128)
    """Tool name the model uses to call it (letters, digits, ``_`` and ``-``)."""
    description: str
    """What the tool does and when to use it."""
    input_schema: JsonObject
    """JSON Schema of the tool's arguments."""


class PromptRef(_Part):
    """Which registered prompt template (and which version of it) built a request."""

    id: str = Field(min_length=1, max_length=128)
    """Prompt id in the prompt registry."""
    role: str = Field(min_length=1, max_length=64)
    """Agent role the prompt is written for."""
    version: str = Field(min_length=1, max_length=64)
    """Semantic version of the prompt, e.g. ``1.4.0``."""


class CallParameters(_Part):
    """Sampling parameters of one call."""

    max_tokens: int = Field(ge=1)
    """Most output tokens the model may produce."""
    temperature: float | None = Field(default=None, ge=0, le=1)
    """Sampling temperature; None uses the model's default."""
    top_p: float | None = Field(default=None, gt=0, le=1)
    """Nucleus sampling mass; None uses the model's default."""
    stop_sequences: tuple[str, ...] = ()
    """Strings that end generation when produced."""
    seed: int | None = Field(default=None, ge=0)
    """The rollout seed of the job the call serves: the offline policy searches by it;
    the API ignores it (rollouts there differ by sampling). Never part of the prompt."""


class Usage(_Part):
    """Tokens one call consumed."""

    input_tokens: int = Field(default=0, ge=0)
    """Uncached input tokens."""
    output_tokens: int = Field(default=0, ge=0)
    """Generated tokens."""
    cache_read_tokens: int = Field(default=0, ge=0)
    """Input tokens served from the prompt cache."""
    cache_write_tokens: int = Field(default=0, ge=0)
    """Input tokens written to the prompt cache."""

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


class LlmFailureReason(StrEnum):
    """Why a call produced no answer (the ``reason`` of ``llm.call.failed``)."""

    rate_limited = "rate_limited"
    overloaded = "overloaded"
    server_error = "server_error"
    timeout = "timeout"
    connection = "connection"
    malformed_response = "malformed_response"
    bad_request = "bad_request"
    authentication = "authentication"
    unknown_model = "unknown_model"
    no_decider = "no_decider"
    decider_error = "decider_error"
    replay_missing = "replay_missing"
    replay_mismatch = "replay_mismatch"


TRANSIENT_LLM_FAILURES = frozenset(
    {
        LlmFailureReason.rate_limited,
        LlmFailureReason.overloaded,
        LlmFailureReason.server_error,
        LlmFailureReason.timeout,
        LlmFailureReason.connection,
    }
)
"""Failures of the service, not of the request or the agent: worth a retry, and never
held against the agent's reward."""


class _CallIdentity(Payload):
    conversation_id: str = Field(min_length=1, max_length=128)
    """The conversation this call belongs to."""
    turn_index: int = Field(ge=0)
    """Position of the call in its conversation (0 = first call)."""
    agent_role: str = Field(min_length=1, max_length=64)
    """Role of the calling agent: ``planner``, ``engineer``, ``critic``, ``generator``, ..."""
    prompt: PromptRef | None = None
    """The prompt template that built the system prompt, when it came from the registry."""
    model: str = Field(min_length=1, max_length=128)
    """Model asked, e.g. ``claude-sonnet-4-5``."""
    policy: LlmPolicyName
    """Who answered: ``anthropic`` (the API), ``offline`` (an algorithm) or ``replay``."""
    request_hash: str = Field(min_length=1, max_length=64)
    """SHA-256 of the canonical JSON of system + messages + tools (replay checks it)."""


@event("llm.call.requested")
class LlmCallRequested(_CallIdentity):
    """An agent asked the model for its next turn; the full request, keys redacted."""

    parameters: CallParameters
    """Sampling parameters."""
    system: str
    """System prompt."""
    messages: tuple[Message, ...] = Field(min_length=1)
    """Conversation so far, oldest first; the last one is the user's."""
    tools: tuple[ToolSchema, ...] = ()
    """Tools the model may call."""


@event("llm.call.completed")
class LlmCallCompleted(_CallIdentity):
    """The model answered a ``llm.call.requested`` with the same conversation and turn."""

    content: tuple[AssistantBlock, ...]
    """The assistant's blocks: text and tool uses."""
    stop_reason: StopReason
    """Why generation stopped."""
    usage: Usage
    """Tokens consumed."""
    cost_usd: float = Field(ge=0)
    """Price of the call from the price table (0 for the offline policy)."""
    latency_s: float = Field(ge=0)
    """Wall time of the call including retries."""
    attempts: int = Field(default=1, ge=1)
    """HTTP attempts it took (retries after 429/5xx/529 add to it)."""

    @property
    def text(self) -> str:
        """The text blocks of the answer, joined by blank lines."""
        return "\n\n".join(b.text for b in self.content if isinstance(b, TextBlock))

    @property
    def tool_uses(self) -> tuple[ToolUseBlock, ...]:
        """The tool uses of the answer, in order."""
        return tuple(b for b in self.content if isinstance(b, ToolUseBlock))


@event("llm.call.failed")
class LlmCallFailed(_CallIdentity):
    """A ``llm.call.requested`` got no answer; the agent receives a typed error."""

    reason: LlmFailureReason
    """What went wrong, by name."""
    detail: str = Field(max_length=8192)
    """Human-readable explanation, keys redacted."""
    status_code: int | None = None
    """HTTP status of the last attempt, when there was one."""
    attempts: int = Field(default=1, ge=1)
    """Attempts made before giving up."""
    latency_s: float = Field(ge=0)
    """Wall time spent on the call including retries."""
