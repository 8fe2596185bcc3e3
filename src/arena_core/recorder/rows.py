"""A raw delivery -> one ``messages`` row (and its envelope when it decodes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import orjson

from arena_core.db.projections import as_recorded
from arena_core.db.tables import messages
from arena_core.events import DecodeError, Envelope, EventRegistry, decode, registry
from arena_core.events.wire import (
    HEADER_CAUSATION,
    HEADER_CORRELATION,
    HEADER_MSG_ID,
    HEADER_RUN,
    HEADER_TYPE,
)
from arena_core.recorder.feed import Delivered


class MessageRow(NamedTuple):
    """The columns of one ``messages`` row, in the table's column order."""

    seq: int
    subject: str
    headers: str
    msg_id: str | None
    type: str | None
    run_id: str | None
    correlation_id: str | None
    causation_id: str | None
    agent_role: str | None
    agent_id: str | None
    ts: datetime | None
    schema_version: int | None
    stream_ts: datetime | None
    body: bytes
    valid: bool
    error_reason: str | None
    error_detail: str | None


if MessageRow._fields != tuple(c.name for c in messages.columns):
    raise RuntimeError("MessageRow must list the columns of 'messages' in table order")


def message_row(
    delivered: Delivered, events: EventRegistry = registry
) -> tuple[MessageRow, Envelope[Any] | None]:
    """The message's row; an undecodable body is flagged, never dropped."""
    msg = delivered.msg
    headers = msg.headers or {}
    body = msg.data
    try:
        envelope = decode(msg.subject, body, headers, events=events)
    except DecodeError as exc:
        # Keep whatever the headers say, so the message still shows in its run.
        row = MessageRow(
            delivered.stream_seq, msg.subject, orjson.dumps(headers).decode(),
            headers.get(HEADER_MSG_ID), exc.event_type or headers.get(HEADER_TYPE),
            headers.get(HEADER_RUN), headers.get(HEADER_CORRELATION),
            headers.get(HEADER_CAUSATION), None, None, None, None, delivered.stored_at,
            bytes(body), False, str(exc.reason), exc.detail[:8192],
        )  # fmt: skip
        return row, None
    envelope = as_recorded(envelope)
    agent = envelope.agent
    row = MessageRow(
        delivered.stream_seq, msg.subject, orjson.dumps(headers).decode(),
        envelope.id, envelope.type, envelope.run_id, envelope.correlation_id,
        envelope.causation_id, agent.role if agent else None, agent.id if agent else None,
        envelope.ts, envelope.schema_version, delivered.stored_at, bytes(body), True, None, None,
    )  # fmt: skip
    return row, envelope
