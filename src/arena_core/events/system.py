"""Lifecycle events of service processes."""

from __future__ import annotations

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.registry import event


@event("system.service.started")
class ServiceStarted(Payload):
    """A service process joined the bus and began consuming."""

    service: str
    instance: str
    """Unique per process: ``<host>:<pid>:<random>``."""
    host: str
    pid: int = Field(ge=0)
    version: str
    concurrency: int = Field(ge=1)


@event("system.service.stopped")
class ServiceStopped(Payload):
    """A service process drained and left the bus."""

    service: str
    instance: str
    handled: int = Field(ge=0)
    """Messages this process acked."""
    failed: int = Field(ge=0)
    """Messages whose handler raised."""
    reason: str
    """``signal``, ``requested`` or ``error``."""
