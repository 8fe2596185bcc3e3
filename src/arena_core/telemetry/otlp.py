"""Spans as OTLP JSON (an ``ExportTraceServiceRequest``, as OTLP/HTTP and the
collector's file exporter write it: hex ids, integer enums, 64-bit numbers as strings)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arena_core import __version__
from arena_core.telemetry.genai import AttributeValue, Span

_KIND = {"internal": 1, "client": 3}
_STATUS_ERROR = 2


def _value(value: AttributeValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, tuple):
        return {"arrayValue": {"values": [{"stringValue": v} for v in value]}}
    return {"stringValue": value}


def _attributes(attrs: dict[str, AttributeValue]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in attrs.items()]


def _span(span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {
        "traceId": span.trace_id.hex(),
        "spanId": span.span_id.hex(),
        "name": span.name,
        "kind": _KIND[span.kind],
        "startTimeUnixNano": str(span.start_ns),
        "endTimeUnixNano": str(span.end_ns),
        "attributes": _attributes(span.attributes),
    }
    if span.parent_span_id is not None:
        out["parentSpanId"] = span.parent_span_id.hex()
    if span.error is not None:
        out["status"] = {"code": _STATUS_ERROR, "message": span.error}
    return out


def otlp_json(spans: Iterable[Span], service_name: str = "arena") -> dict[str, Any]:
    """One ``ExportTraceServiceRequest`` holding ``spans``."""
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes({"service.name": service_name})},
                "scopeSpans": [
                    {
                        "scope": {"name": "arena", "version": __version__},
                        "spans": [_span(s) for s in spans],
                    }
                ],
            }
        ]
    }
