"""Typed payloads of recorded messages: the export decodes, it never hand-parses JSON."""

from __future__ import annotations

from typing import TypeVar

from arena_core.events.envelope import Envelope, Payload
from arena_core.events.registry import registry

P = TypeVar("P", bound=Payload)


def payload(body: bytes, model: type[P]) -> P:
    """The payload of a recorded envelope, validated as ``model``."""
    envelope: Envelope[P] = registry.envelope_model(model.EVENT_TYPE).model_validate_json(body)
    return envelope.payload
