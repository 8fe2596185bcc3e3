"""OpenTelemetry GenAI spans of agent runs: ``invoke_agent``, inference (``chat``) and
``execute_tool`` spans, from the recording (``arena export --format otel``) or live from
the bus (``arena telemetry``, to ``ARENA_OTEL_ENDPOINT``)."""

from arena_core.telemetry.genai import ConversationSpans, Span, provider_name, trace_id
from arena_core.telemetry.otlp import otlp_json

__all__ = ["ConversationSpans", "Span", "otlp_json", "provider_name", "trace_id"]
