"""``otel``: OpenTelemetry GenAI traces as OTLP JSON, one ``ExportTraceServiceRequest``
per conversation (load them into Jaeger, Langfuse, Phoenix or any OTLP backend)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from arena_core.export.filters import ExportFilter, ExportSummary, Progress


def rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """One OTLP JSON request per conversation: its ``invoke_agent``, ``chat`` and
    ``execute_tool`` spans."""
    from arena_core.telemetry.otlp import otlp_json
    from arena_core.telemetry.recorded import conversation_spans

    for spans in conversation_spans(engine, flt, summary, progress):
        yield otlp_json(spans)
