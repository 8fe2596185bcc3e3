"""A raw NATS message -> one ``messages`` row (and its envelope when it decodes)."""

from __future__ import annotations

from typing import Any

import orjson
from nats.aio.msg import Msg

from arena_core.events import DecodeError, Envelope, EventRegistry, decode, registry
from arena_core.events.wire import (
    HEADER_CAUSATION,
    HEADER_CORRELATION,
    HEADER_MSG_ID,
    HEADER_RUN,
    HEADER_TYPE,
)

Row = dict[str, Any]


def message_row(msg: Msg, events: EventRegistry = registry) -> tuple[Row, Envelope[Any] | None]:
    """Every column of the message's row; an undecodable body is flagged, never dropped."""
    meta = msg.metadata
    headers = msg.headers or {}
    row: Row = {
        "seq": int(meta.sequence.stream),
        "subject": msg.subject,
        "headers": orjson.dumps(headers).decode(),
        "msg_id": headers.get(HEADER_MSG_ID),
        "stream_ts": meta.timestamp,
        "body": bytes(msg.data),
    }
    try:
        envelope = decode(msg.subject, msg.data, headers, events=events)
    except DecodeError as exc:
        # Keep whatever the headers say, so the message still shows in its run.
        row |= {
            "valid": False,
            "error_reason": str(exc.reason),
            "error_detail": exc.detail[:8192],
            "type": exc.event_type or headers.get(HEADER_TYPE),
            "run_id": headers.get(HEADER_RUN),
            "correlation_id": headers.get(HEADER_CORRELATION),
            "causation_id": headers.get(HEADER_CAUSATION),
            "agent_role": None,
            "agent_id": None,
            "ts": None,
            "schema_version": None,
        }
        return row, None
    agent = envelope.agent
    row |= {
        "valid": True,
        "error_reason": None,
        "error_detail": None,
        "type": envelope.type,
        "run_id": envelope.run_id,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "agent_role": agent.role if agent else None,
        "agent_id": agent.id if agent else None,
        "ts": envelope.ts,
        "schema_version": envelope.schema_version,
    }
    return row, envelope
