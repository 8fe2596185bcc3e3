"""Event registry: event type -> payload model and subject."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from arena_core.errors import ArenaError
from arena_core.events.envelope import SUBJECT_PREFIX, Envelope, Payload
from arena_core.events.jobs import check_job_type

_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

T = TypeVar("T", bound=type[Payload])
P = TypeVar("P", bound=Payload)


class UnknownEventType(ArenaError, KeyError):
    """No payload model is registered for this event type."""


class EventRegistry:
    """Maps each event type to its payload model, envelope model and subject."""

    def __init__(self) -> None:
        self._models: dict[str, type[Payload]] = {}
        self._envelopes: dict[str, type[Envelope[Any]]] = {}

    def register(self, event_type: str, model: type[Payload]) -> None:
        if not _TYPE_RE.match(event_type):
            raise ValueError(f"event type {event_type!r} must be dotted lowercase words")
        check_job_type(event_type, model)
        existing = self._models.get(event_type)
        if existing is not None and existing is not model:
            raise ValueError(f"event type {event_type!r} is already registered to {existing}")
        model.EVENT_TYPE = event_type
        self._models[event_type] = model
        self._envelopes[event_type] = Envelope[model]  # type: ignore[valid-type]

    def model(self, event_type: str) -> type[Payload]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def envelope_model(self, event_type: str) -> type[Envelope[Any]]:
        try:
            return self._envelopes[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._models))

    def __len__(self) -> int:
        return len(self._models)

    def items(self) -> list[tuple[str, type[Payload]]]:
        return sorted(self._models.items())


def subject_for(event_type: str) -> str:
    return f"{SUBJECT_PREFIX}.{event_type}"


def type_from_subject(subject: str) -> str | None:
    prefix = SUBJECT_PREFIX + "."
    return subject[len(prefix) :] if subject.startswith(prefix) else None


registry = EventRegistry()


def recorded_payload(body: bytes | str, model: type[P]) -> P:
    """The payload of a recorded envelope (a ``messages`` body), validated as ``model``."""
    envelope: Envelope[P] = registry.envelope_model(model.EVENT_TYPE).model_validate_json(body)
    return envelope.payload


"""The process-wide registry; payload modules register into it on import."""


def event(event_type: str) -> Callable[[T], T]:
    """Class decorator: register a payload model under ``event_type``."""

    def decorate(model: T) -> T:
        registry.register(event_type, model)
        return model

    return decorate


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="serialization")
