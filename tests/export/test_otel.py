"""OpenTelemetry GenAI spans: the OTLP JSON export and the live follower, checked with the
SDK's in-memory exporter against the attribute names of the GenAI conventions."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import orjson
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.events import AgentRef, Envelope
from arena_core.events.llm import LlmCallFailed, LlmFailureReason
from arena_core.export import ExportFormat, export
from arena_core.recorder import RecorderService
from arena_core.telemetry.live import LiveSpans, SdkSink, follow
from tests.recorder.recording import settle
from tests.recorder.scenario import llm_turns, publish_run

CHAT = {
    "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model",
    "gen_ai.request.max_tokens", "gen_ai.response.model", "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons", "gen_ai.conversation.id",
    "gen_ai.agent.name",
}  # fmt: skip
"""Attributes of an inference span (GenAI semantic conventions)."""
TOOL = {
    "gen_ai.operation.name", "gen_ai.tool.name", "gen_ai.tool.call.id", "gen_ai.tool.type",
    "gen_ai.conversation.id",
}  # fmt: skip
"""Attributes of an ``execute_tool`` span."""
AGENT = {"gen_ai.operation.name", "gen_ai.agent.name", "gen_ai.agent.id",
         "gen_ai.conversation.id", "gen_ai.provider.name", "gen_ai.request.model"}  # fmt: skip
"""Attributes of an ``invoke_agent`` span."""
ENGINEER = AgentRef(role="engineer", id="engineer-1")


@pytest.fixture
async def recorded(bus: Bus, engine: Engine, recorder: RecorderService) -> Engine:
    await publish_run(bus, "run-1", conversation_id="conv-1")
    await settle(bus, engine)
    return engine


def by_operation(spans: list[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for s in spans:
        out.setdefault(key_of(s, key), []).append(s)
    return out


def key_of(span: Any, key: str) -> str:
    attrs = {a["key"]: a["value"] for a in span["attributes"]}
    return str(next(iter(attrs[key].values())))


async def test_otel_export_writes_one_otlp_trace_request_per_conversation(
    recorded: Engine,
) -> None:
    out = io.BytesIO()
    summary = export(recorded, ExportFormat.otel, out)
    assert summary.rows == 1
    request = orjson.loads(out.getvalue())
    spans = request["resourceSpans"][0]["scopeSpans"][0]["spans"]
    ops = by_operation(spans, "gen_ai.operation.name")
    assert len(ops["invoke_agent"]) == 1 and len(ops["chat"]) == 3
    assert len(ops["execute_tool"]) == 1
    (agent,) = ops["invoke_agent"]
    assert {s["traceId"] for s in spans} == {agent["traceId"]}
    assert all(s["parentSpanId"] == agent["spanId"] for s in ops["chat"] + ops["execute_tool"])
    for op, names in (("chat", CHAT), ("execute_tool", TOOL), ("invoke_agent", AGENT)):
        assert names <= {a["key"] for a in ops[op][0]["attributes"]}, op
    assert key_of(ops["chat"][0], "gen_ai.conversation.id") == "conv-1"
    assert key_of(ops["chat"][0], "gen_ai.usage.input_tokens") == "100"
    assert ops["chat"][0]["kind"] == 3 and int(ops["chat"][0]["endTimeUnixNano"]) > 0


def envelopes(run_id: str) -> list[Envelope[Any]]:
    out: list[Envelope[Any]] = []
    for req, done in llm_turns("conv-live", 2):
        r = Envelope.new(req, run_id=run_id, agent=ENGINEER)
        out += [r, r.follow(done, agent=ENGINEER)]
    failed = LlmCallFailed(
        conversation_id="conv-live", turn_index=2, agent_role="engineer", model="m1",
        policy="anthropic", request_hash="f" * 64, reason=LlmFailureReason.timeout,
        detail="timed out", latency_s=2.0,
    )  # fmt: skip
    last = llm_turns("conv-live", 3)[2][0]
    asked = Envelope.new(last, run_id=run_id, agent=ENGINEER)
    return [*out, asked, asked.follow(failed, agent=ENGINEER)]


def sdk() -> tuple[InMemorySpanExporter, SdkSink]:
    memory = InMemorySpanExporter()
    return memory, SdkSink(SimpleSpanProcessor(memory))


def test_live_spans_reach_the_sdk_with_genai_attributes() -> None:
    memory, sink = sdk()
    live = LiveSpans(sink, idle_s=60)
    for env in envelopes("run-live"):
        live.feed(env)
    assert live.flush() == 0  # the agent is not quiet yet
    assert live.flush(everything=True) == 1
    spans: list[ReadableSpan] = list(memory.get_finished_spans())
    ops = {}
    for s in spans:
        ops.setdefault(s.attributes["gen_ai.operation.name"], []).append(s)  # type: ignore[index]
    assert len(ops["chat"]) == 3 and len(ops["invoke_agent"]) == 1
    for span in ops["chat"][:2]:
        assert set(span.attributes or {}) >= CHAT and span.kind is SpanKind.CLIENT
    failed = ops["chat"][2]
    assert failed.status.status_code is StatusCode.ERROR
    assert (failed.attributes or {})["error.type"] == "timeout"
    agent = ops["invoke_agent"][0]
    assert set(agent.attributes or {}) >= AGENT
    assert all(s.parent is not None and s.parent.span_id == agent.context.span_id
               for s in ops["chat"])  # fmt: skip


async def test_the_follower_exports_what_the_bus_carries(bus: Bus) -> None:
    memory, sink = sdk()
    live = LiveSpans(sink, idle_s=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(follow(bus, live, stop=stop))
    await asyncio.sleep(0.5)  # the ordered consumers start from now on
    await bus.publish_many(envelopes("run-follow"))
    for _ in range(100):
        if any(s.name.startswith("invoke_agent") for s in memory.get_finished_spans()):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 10)
    names = sorted(s.name for s in memory.get_finished_spans())
    assert names == ["chat m1", "chat m1", "chat m1", "invoke_agent engineer"]
