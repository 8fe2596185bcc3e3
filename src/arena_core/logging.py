"""Structured logs that carry the run and correlation ids of the event being handled."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_id", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
_service: contextvars.ContextVar[str | None] = contextvars.ContextVar("service", default=None)

_SECRET = re.compile(
    r"(sk-ant-[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]+|(api[_-]?key['\"=: ]+)[^\s'\",]+", re.IGNORECASE
)


def redact(text: str) -> str:
    """Hide API keys that slipped into a message."""
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


def bind_event(envelope: Any) -> None:
    """Attach an envelope's run and correlation ids to the log lines of the current task.

    Each asyncio task runs in a copy of the context, so this never leaks to others.
    """
    _run_id.set(envelope.run_id)
    _correlation_id.set(envelope.correlation_id)


def bind_service(name: str) -> None:
    _service.set(name)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = _run_id.get()
        record.correlation_id = _correlation_id.get()
        record.service = _service.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in ("service", "run_id", "correlation_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ids = " ".join(f"{k}={v}" for k in ("service", "run_id") if (v := getattr(record, k, None)))
        return redact(f"{base} [{ids}]" if ids else base)


def configure(*, json: bool = False, level: str = "INFO") -> None:
    """Log to stderr, as JSON lines or text, with run/correlation ids on each line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(
        JsonFormatter()
        if json
        else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("nats", "alembic", "OpenGL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
