"""Bad input on a subject no service consumes still gets its ``error.invalid_message``.

Every service's consumer filters the subjects of the event types it handles, so a
message on any other subject (``arena.frob.job.requested``: a type nobody registered)
reaches no handler, and a client waiting for an answer would wait until its timeout.
The recorder sees every message; it answers those with the error event a service
would have sent (consumer ``recorder``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from arena_core.events import DecodeError, Envelope, EventRegistry, decode, derived_id
from arena_core.events.envelope import SUBJECT_PREFIX
from arena_core.events.errors import InvalidMessage, invalid_message
from arena_core.events.wire import HEADER_MSG_ID
from arena_core.recorder.feed import Delivered

CONSUMER = "recorder"
_ERROR_INDEX = 0x3FFD
"""Index of the derived id of the error event (a redelivery re-derives the same id)."""


def unowned_errors(
    batch: Sequence[Delivered], events: EventRegistry
) -> list[Envelope[InvalidMessage]]:
    """An error event for each message on a subject that is no registered type's."""
    errors = []
    for delivered in batch:
        msg = delivered.msg
        event_type = msg.subject.removeprefix(SUBJECT_PREFIX + ".")
        if event_type in events:
            continue  # a service owns this subject and rejects bad input itself
        headers = msg.headers or {}
        found: str | None
        try:
            envelope = decode(msg.subject, msg.data, headers, events=events)
            reason, detail, found = "unknown_type", "", envelope.type
        except DecodeError as exc:
            reason, detail, found = str(exc.reason), exc.detail, exc.event_type
        if reason == "wrong_subject" or not detail:
            detail = f"no service consumes {msg.subject!r}: {detail or 'unknown subject'}"
        error = invalid_message(
            msg.subject, msg.data, headers, reason=reason, detail=detail,
            stream_seq=delivered.stream_seq, consumer=CONSUMER, event_type=found,
            id=_error_id(headers.get(HEADER_MSG_ID)),
        )  # fmt: skip
        errors.append(error)
    return errors


def _error_id(message_id: str | None) -> str | None:
    """Derived from the bad message's id when that is a UUID, so a redelivery repeats it."""
    if message_id is None:
        return None
    try:
        uuid.UUID(message_id)
    except ValueError:
        return None
    return derived_id(message_id, _ERROR_INDEX)
