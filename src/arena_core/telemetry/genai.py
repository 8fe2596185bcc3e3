"""Agents' conversations as OpenTelemetry GenAI spans (semantic conventions ``gen_ai.*``).

One trace per run. Each conversation is an ``invoke_agent`` span; each LLM call an
inference span (``chat``) and each tool run an ``execute_tool`` span inside it. Ids are
derived from the run, conversation and turn, so the same recording gives the same trace.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from arena_core.events.agent import AgentToolCompleted
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested

AttributeValue = str | int | float | bool | tuple[str, ...]
"""What a span attribute may hold."""

SpanKind = Literal["internal", "client"]
"""``client`` for calls to a model, ``internal`` for agents and tools."""

_PROVIDERS = {"anthropic": "anthropic", "offline": "arena.offline", "replay": "arena.replay"}


def provider_name(policy: str) -> str:
    """``gen_ai.provider.name`` of a policy: ``anthropic``, or Arena's own answerers."""
    return _PROVIDERS.get(policy, f"arena.{policy}")


def trace_id(run_id: str) -> bytes:
    """The 16-byte trace id of a run."""
    return hashlib.sha256(f"trace/{run_id}".encode()).digest()[:16]


def span_id(*parts: object) -> bytes:
    """An 8-byte span id derived from ``parts``."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8]


def _ns(ts: datetime) -> int:
    """Nanoseconds since the epoch (the recording stores UTC, maybe without a zone)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return int(ts.timestamp() * 1e9)


@dataclass
class Span:
    """One finished span, independent of any OpenTelemetry SDK."""

    trace_id: bytes
    span_id: bytes
    parent_span_id: bytes | None
    name: str
    kind: SpanKind
    start_ns: int
    end_ns: int
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    error: str | None = None
    """``error.type`` when the operation failed (the span's status is then an error)."""


@dataclass
class ConversationSpans:
    """Builds the spans of one conversation from its typed events."""

    run_id: str
    conversation_id: str
    agent_role: str
    agent_id: str | None = None
    policy: str | None = None
    model: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def agent_span_id(self) -> bytes:
        return span_id(self.run_id, self.conversation_id)

    def _seen(self, start: datetime, end: datetime) -> None:
        self.start = min(self.start or start, start)
        self.end = max(self.end or end, end)

    def call(
        self,
        requested: LlmCallRequested,
        requested_at: datetime,
        answer: LlmCallCompleted | LlmCallFailed,
        answered_at: datetime,
    ) -> Span:
        """The inference span of one LLM call."""
        self.policy, self.model = answer.policy, requested.model
        start = min(requested_at, answered_at - timedelta(seconds=answer.latency_s))
        self._seen(start, answered_at)
        attrs: dict[str, AttributeValue] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider_name(answer.policy),
            "gen_ai.request.model": requested.model,
            "gen_ai.request.max_tokens": requested.parameters.max_tokens,
            "gen_ai.conversation.id": self.conversation_id,
            "gen_ai.agent.name": self.agent_role,
            "arena.policy": answer.policy,
            "arena.run_id": self.run_id,
            "arena.turn_index": requested.turn_index,
        }
        if requested.parameters.temperature is not None:
            attrs["gen_ai.request.temperature"] = requested.parameters.temperature
        error = None
        if isinstance(answer, LlmCallCompleted):
            real = f"offline/{answer.agent_role}" if answer.policy == "offline" else answer.model
            attrs |= {
                "gen_ai.response.model": real,
                "gen_ai.usage.input_tokens": answer.usage.input_tokens,
                "gen_ai.usage.output_tokens": answer.usage.output_tokens,
                "gen_ai.response.finish_reasons": (answer.stop_reason,),
            }
        else:
            error = answer.reason.value
            attrs["error.type"] = error
        return Span(
            trace_id(self.run_id),
            span_id(self.run_id, self.conversation_id, requested.turn_index),
            self.agent_span_id,
            f"chat {requested.model}",
            "client",
            _ns(start),
            _ns(answered_at),
            attrs,
            error,
        )

    def tool(self, done: AgentToolCompleted, at: datetime) -> Span:
        """The ``execute_tool`` span of one tool run."""
        start = at - timedelta(seconds=done.duration_s)
        self._seen(start, at)
        attrs: dict[str, AttributeValue] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": done.tool_name,
            "gen_ai.tool.call.id": done.tool_use_id,
            "gen_ai.tool.type": "function",
            "gen_ai.conversation.id": self.conversation_id,
            "gen_ai.agent.name": self.agent_role,
            "arena.turn_index": done.turn_index,
        }
        error = done.error_kind.value if done.is_error and done.error_kind else None
        if done.is_error:
            error = error or "tool_error"
            attrs["error.type"] = error
        return Span(
            trace_id(self.run_id),
            span_id(self.run_id, self.conversation_id, "tool", done.tool_use_id),
            self.agent_span_id,
            f"execute_tool {done.tool_name}",
            "internal",
            _ns(start),
            _ns(at),
            attrs,
            error,
        )

    def agent(self) -> Span:
        """The ``invoke_agent`` span around everything seen of the conversation."""
        assert self.start is not None and self.end is not None, "no call or tool seen yet"
        attrs: dict[str, AttributeValue] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": self.agent_role,
            "gen_ai.conversation.id": self.conversation_id,
            "arena.run_id": self.run_id,
        }
        if self.agent_id:
            attrs["gen_ai.agent.id"] = self.agent_id
        if self.policy:
            attrs["gen_ai.provider.name"] = provider_name(self.policy)
            attrs["arena.policy"] = self.policy
        if self.model:
            attrs["gen_ai.request.model"] = self.model
        return Span(
            trace_id(self.run_id),
            self.agent_span_id,
            None,
            f"invoke_agent {self.agent_role}",
            "internal",
            _ns(self.start),
            _ns(self.end),
            attrs,
        )
