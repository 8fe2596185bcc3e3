"""Live GenAI spans: follow the bus and export each call, tool run and agent as it ends.

``arena telemetry`` runs this against ``ARENA_OTEL_ENDPOINT`` (OTLP over HTTP). An agent's
``invoke_agent`` span is sent once its conversation has been quiet for ``idle_s`` (or
when the follower stops). Needs the ``otel`` extra (the OpenTelemetry SDK).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from arena_core.events import DecodeError, Envelope, decode
from arena_core.events.agent import AgentToolCompleted
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested
from arena_core.events.wire import HEADER_TYPE
from arena_core.telemetry.genai import ConversationSpans, Span

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor

    from arena_core.bus import Bus

TYPES = frozenset(
    {"llm.call.requested", "llm.call.completed", "llm.call.failed", "agent.tool.completed"}
)
"""Event types the follower decodes (it skips every other message by its type header)."""


class SdkSink:
    """Hands spans to an OpenTelemetry SDK span processor (batching, exporters)."""

    def __init__(self, processor: SpanProcessor) -> None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope

        from arena_core import __version__

        self.processor = processor
        self.resource = Resource.create({"service.name": "arena"})
        self.scope = InstrumentationScope("arena", __version__)

    def export(self, spans: Sequence[Span]) -> None:
        from opentelemetry.sdk.trace import ReadableSpan
        from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

        for s in spans:
            trace = int.from_bytes(s.trace_id, "big")

            def context(span_id: bytes, trace: int = trace) -> SpanContext:
                return SpanContext(
                    trace, int.from_bytes(span_id, "big"), False, TraceFlags(TraceFlags.SAMPLED)
                )

            self.processor.on_end(
                ReadableSpan(
                    name=s.name,
                    context=context(s.span_id),
                    parent=context(s.parent_span_id) if s.parent_span_id else None,
                    resource=self.resource,
                    attributes={k: list(v) if isinstance(v, tuple) else v
                                for k, v in s.attributes.items()},
                    kind=SpanKind.CLIENT if s.kind == "client" else SpanKind.INTERNAL,
                    status=Status(StatusCode.ERROR, s.error) if s.error else Status(StatusCode.OK),
                    start_time=s.start_ns,
                    end_time=s.end_ns,
                    instrumentation_scope=self.scope,
                )
            )  # fmt: skip

    def shutdown(self) -> None:
        self.processor.shutdown()


def otlp_sink(endpoint: str) -> SdkSink:
    """A sink that batches spans to an OTLP/HTTP traces endpoint."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    return SdkSink(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))


class LiveSpans:
    """Turns events, in bus order, into spans for a sink."""

    def __init__(self, sink: SdkSink, *, idle_s: float = 30.0) -> None:
        self.sink = sink
        self.idle_s = idle_s
        self._asked: dict[tuple[str, int], tuple[LlmCallRequested, datetime]] = {}
        self._open: dict[str, tuple[ConversationSpans, float]] = {}

    def _conversation(
        self, env: Envelope[Any], conversation_id: str, role: str
    ) -> ConversationSpans:
        found = self._open.get(conversation_id)
        spans = found[0] if found else ConversationSpans(
            env.run_id, conversation_id, role, env.agent.id if env.agent else None
        )  # fmt: skip
        self._open[conversation_id] = (spans, time.monotonic())
        return spans

    def feed(self, env: Envelope[Any]) -> None:
        """Take one event; export the span it ends, if any."""
        p = env.payload
        if isinstance(p, LlmCallRequested):
            self._asked[(p.conversation_id, p.turn_index)] = (p, env.ts)
        elif isinstance(p, LlmCallCompleted | LlmCallFailed):
            asked = self._asked.pop((p.conversation_id, p.turn_index), None)
            if asked is not None:
                spans = self._conversation(env, p.conversation_id, p.agent_role)
                self.sink.export([spans.call(asked[0], asked[1], p, env.ts)])
        elif isinstance(p, AgentToolCompleted):
            spans = self._conversation(env, p.conversation_id, p.agent_role)
            self.sink.export([spans.tool(p, env.ts)])

    def flush(self, *, everything: bool = False) -> int:
        """Export the agent spans of conversations quiet for ``idle_s`` (or all)."""
        now = time.monotonic()
        done = [c for c, (_, seen) in self._open.items() if everything or now - seen >= self.idle_s]
        self.sink.export([self._open.pop(c)[0].agent() for c in done])
        return len(done)


async def follow(bus: Bus, live: LiveSpans, *, stop: asyncio.Event) -> None:
    """Feed ``live`` from the bus (events from now on) until ``stop`` is set."""
    from nats.js.api import ConsumerConfig, DeliverPolicy

    async def on_message(msg: Any) -> None:
        if (msg.headers or {}).get(HEADER_TYPE) not in TYPES:
            return
        with contextlib.suppress(DecodeError):
            live.feed(decode(msg.subject, msg.data, msg.headers, events=bus.events))

    # One ordered consumer over the whole stream from now on (two would each see all).
    new = ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
    subs = [await bus.js.subscribe("arena.>", ordered_consumer=True, cb=on_message, config=new)]
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=min(live.idle_s, 5.0))
            live.flush()
    finally:
        for sub in subs:
            await sub.unsubscribe()
        live.flush(everything=True)
