"""Keeping API keys out of prompts, events and logs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from arena_core.logging import redact as redact_key_patterns

M = TypeVar("M", bound=BaseModel)

REDACTED = "[REDACTED]"

_MIN_SECRET_LENGTH = 8
"""Shorter values would blank out ordinary words."""


class Redactor:
    """Replaces known secret values, and anything shaped like an API key, in text and models."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(
            sorted({s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)
        )

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        return redact_key_patterns(value)

    def model(self, model: M) -> M:
        """A copy of ``model`` with every string inside it redacted (the same object if clean)."""
        data = model.model_dump(mode="python")
        cleaned = self._walk(data)
        if cleaned == data:
            return model
        return type(model).model_validate(cleaned)

    def _walk(self, value: object) -> object:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._walk(v) for v in value)
        return value
