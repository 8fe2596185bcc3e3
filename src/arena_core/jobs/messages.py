"""Job request messages from user input: a payload with field overrides, or a whole envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import ValidationError

from arena_core.events import (
    DecodeError,
    Envelope,
    EventRegistry,
    InvalidReason,
    decode,
    registry,
    subject_for,
)
from arena_core.events.wire import validation_summary
from arena_core.jobs.kinds import JobKind, SubmitError


def parse_json_object(text: str | bytes, what: str) -> dict[str, Any]:
    """``text`` as a JSON object; ``SubmitError`` naming ``what`` otherwise."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SubmitError(InvalidReason.not_json, f"{what}: {exc}") from None
    if not isinstance(data, dict):
        raise SubmitError(
            InvalidReason.not_an_object, f"{what}: top level is {type(data).__name__}"
        )
    return data


def apply_fields(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """Set ``a.b.c=value`` assignments on a copy of ``data``.

    The value is read as JSON when it parses (numbers, booleans, objects), else as a string.
    """
    result = orjson.loads(orjson.dumps(data))
    for field_spec in fields:
        key, sep, raw = field_spec.partition("=")
        if not sep or not key or any(not part for part in key.split(".")):
            raise SubmitError("bad_field", f"{field_spec!r}: expected KEY=VALUE (KEY may be a.b.c)")
        try:
            value: Any = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = raw
        *parents, leaf = key.split(".")
        target = result
        for part in parents:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise SubmitError("bad_field", f"{field_spec!r}: {part!r} is not an object")
            target = child
        target[leaf] = value
    return result  # type: ignore[no-any-return]


def job_envelope(kind: JobKind, payload: dict[str, Any], *, run_id: str | None) -> Envelope[Any]:
    """A new job request envelope; ``SubmitError`` when the payload does not fit the model."""
    try:
        model = kind.request.model_validate(payload)
    except ValidationError as exc:
        raise SubmitError(
            InvalidReason.schema_violation, validation_summary(exc, limit=8)
        ) from None
    return Envelope.new(model, run_id=run_id)


def envelope_from_json(body: bytes, events: EventRegistry = registry) -> Envelope[Any]:
    """Validate a complete envelope exactly as a worker would (``events.decode``)."""
    data = parse_json_object(body, "envelope")
    event_type = data.get("type")
    subject = subject_for(event_type) if isinstance(event_type, str) else "arena"
    try:
        return decode(subject, body, events=events)
    except DecodeError as exc:
        raise SubmitError(exc.reason, exc.detail) from None
