"""Envelope <-> NATS message bytes and headers (orjson on the wire)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson
from pydantic import ValidationError

from arena_core.errors import ArenaError
from arena_core.events.envelope import Envelope
from arena_core.events.registry import (
    EventRegistry,
    UnknownEventType,
    registry,
    subject_for,
)

HEADER_MSG_ID = "Nats-Msg-Id"
HEADER_TYPE = "Arena-Type"
HEADER_RUN = "Arena-Run-Id"
HEADER_CORRELATION = "Arena-Correlation-Id"
HEADER_CAUSATION = "Arena-Causation-Id"

RAW_QUOTE_LIMIT = 4096
"""How many bytes of a bad message an ``error.invalid_message`` event quotes."""


class InvalidReason(StrEnum):
    """Why a message could not be decoded (the ``reason`` of ``error.invalid_message``)."""

    not_json = "not_json"
    not_an_object = "not_an_object"
    missing_type = "missing_type"
    unknown_type = "unknown_type"
    schema_violation = "schema_violation"
    wrong_subject = "wrong_subject"
    header_mismatch = "header_mismatch"
    too_large = "too_large"


class DecodeError(ArenaError, ValueError):
    """A message that is not a valid envelope for its subject."""

    def __init__(self, reason: InvalidReason, detail: str, event_type: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.event_type = event_type


def encode(envelope: Envelope[Any]) -> tuple[str, bytes, dict[str, str]]:
    """Subject, body and headers for an envelope."""
    body = orjson.dumps(envelope.model_dump(mode="python"))
    headers = {
        HEADER_MSG_ID: envelope.id,
        HEADER_TYPE: envelope.type,
        HEADER_RUN: envelope.run_id,
        HEADER_CORRELATION: envelope.correlation_id,
    }
    if envelope.causation_id:
        headers[HEADER_CAUSATION] = envelope.causation_id
    return subject_for(envelope.type), body, headers


def decode(
    subject: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    events: EventRegistry = registry,
    max_bytes: int = 8 * 1024 * 1024,
) -> Envelope[Any]:
    """Validate a message against the model registered for its type; raise ``DecodeError``."""
    if len(body) > max_bytes:
        raise DecodeError(InvalidReason.too_large, f"{len(body)} bytes > {max_bytes}")
    header_type = (headers or {}).get(HEADER_TYPE)
    if header_type is None or header_type not in events:
        # No usable header (e.g. a plain NATS client): read the type from the body.
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(InvalidReason.not_json, str(exc)) from None
        if not isinstance(data, dict):
            raise DecodeError(InvalidReason.not_an_object, f"top level is {type(data).__name__}")
        event_type = data.get("type")
        if not isinstance(event_type, str):
            raise DecodeError(InvalidReason.missing_type, "envelope has no string 'type'")
        try:
            model = events.envelope_model(event_type)
        except UnknownEventType:
            raise DecodeError(
                InvalidReason.unknown_type, f"no event type {event_type!r}", event_type
            ) from None
        try:
            envelope = model.model_validate(data)
        except ValidationError as exc:
            raise DecodeError(
                InvalidReason.schema_violation, validation_summary(exc), event_type
            ) from None
    else:
        event_type = header_type
        try:
            envelope = events.envelope_model(event_type).model_validate_json(body)
        except ValidationError as exc:
            body_type = _body_type(body)
            if body_type is not None and body_type != header_type:
                raise DecodeError(
                    InvalidReason.header_mismatch,
                    f"header type {header_type!r} but body type {body_type!r}",
                    event_type,
                ) from None
            raise DecodeError(_json_reason(exc), validation_summary(exc), event_type) from None
        if envelope.type != header_type:
            raise DecodeError(
                InvalidReason.header_mismatch,
                f"header type {header_type!r} but body type {envelope.type!r}",
                event_type,
            )
    expected = subject_for(envelope.type)
    if subject != expected:
        raise DecodeError(
            InvalidReason.wrong_subject,
            f"type {envelope.type!r} belongs on {expected!r}, not {subject!r}",
            envelope.type,
        )
    msg_id = (headers or {}).get(HEADER_MSG_ID)
    if msg_id is not None and msg_id != envelope.id:
        raise DecodeError(
            InvalidReason.header_mismatch,
            f"Nats-Msg-Id {msg_id!r} differs from envelope id {envelope.id!r}",
            envelope.type,
        )
    return envelope


def quote_raw(body: bytes, limit: int = RAW_QUOTE_LIMIT) -> str:
    """A printable, size-capped quote of raw bytes for error events."""
    text = body[:limit].decode("utf-8", errors="backslashreplace")
    if len(body) > limit:
        text += f"... [{len(body) - limit} more bytes]"
    return text


def _body_type(body: bytes) -> str | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    value = data.get("type") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _json_reason(exc: ValidationError) -> InvalidReason:
    kinds = {err["type"] for err in exc.errors()}
    if "json_invalid" in kinds:
        return InvalidReason.not_json
    if "model_type" in kinds and all(len(e["loc"]) == 0 for e in exc.errors()):
        return InvalidReason.not_an_object
    return InvalidReason.schema_violation


def validation_summary(exc: ValidationError, limit: int | None = 5) -> str:
    """``path: message`` of the first ``limit`` errors (all: None), one line."""
    errors = exc.errors()
    shown = errors if limit is None else errors[:limit]
    parts = [f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in shown]
    if len(errors) > len(shown):
        parts.append(f"(+{len(errors) - len(shown)} more)")
    return "; ".join(parts)
