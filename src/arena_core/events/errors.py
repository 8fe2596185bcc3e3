"""Error events: what went wrong, named, with enough context to act on it."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from arena_core.events.envelope import Envelope, Payload, header_id
from arena_core.events.registry import event
from arena_core.events.wire import HEADER_CORRELATION, HEADER_MSG_ID, HEADER_RUN, quote_raw


@event("error.invalid_message")
class InvalidMessage(Payload):
    """A message was terminated because it is not a valid event for its subject."""

    reason: str = Field(max_length=64)
    """Machine-readable reason: ``not_json``, ``unknown_type``, ``schema_violation``, ..."""
    detail: str = Field(max_length=8192)
    """Human-readable explanation (validation errors, expected subject, ...)."""
    subject: str
    """Subject the bad message arrived on."""
    stream_seq: int | None = None
    """Stream sequence of the bad message, when it came from JetStream."""
    consumer: str | None = None
    """Durable consumer that received it."""
    event_type: str | None = None
    """Event type, when it could be read."""
    raw: str = Field(max_length=16384)
    """The raw bytes, decoded leniently and size-capped."""
    raw_size: int = Field(ge=0)
    """Full size of the raw message in bytes."""


def invalid_message(
    subject: str,
    data: bytes,
    headers: Mapping[str, str] | None,
    *,
    reason: str,
    detail: str,
    stream_seq: int,
    consumer: str,
    event_type: str | None,
    id: str | None = None,
) -> Envelope[InvalidMessage]:
    """The ``error.invalid_message`` for a raw message, under the run, correlation and
    causation its headers name (only when they are well-formed ids)."""
    error = InvalidMessage(
        reason=reason[:64],
        detail=detail[:8192],
        subject=subject,
        stream_seq=stream_seq,
        consumer=consumer,
        event_type=event_type,
        raw=quote_raw(data),
        raw_size=len(data),
    )
    headers = headers or {}
    return Envelope.new(
        error,
        run_id=header_id(headers.get(HEADER_RUN)),
        correlation_id=header_id(headers.get(HEADER_CORRELATION)),
        causation_id=header_id(headers.get(HEADER_MSG_ID)),
        id=id,
    )


@event("error.handler_failed")
class HandlerFailed(Payload):
    """A handler raised; the message will be redelivered after ``retry_in_s`` unless final."""

    consumer: str
    event_type: str
    event_id: str
    stream_seq: int
    attempt: int = Field(ge=1)
    """Delivery attempt that failed (1 = first delivery)."""
    error_type: str
    error: str = Field(max_length=8192)
    retry_in_s: float | None = None
    """Delay before redelivery, or None when this was the last attempt."""


@event("error.dead_letter")
class DeadLetter(Payload):
    """A message failed ``max_deliver`` times and will not be delivered again."""

    consumer: str
    subject: str
    stream_seq: int
    deliveries: int = Field(ge=1)
    event_type: str | None = None
    event_id: str | None = None
    last_error: str | None = Field(default=None, max_length=8192)
    """The final handler error, when the last attempt ended in one (not a crash)."""
