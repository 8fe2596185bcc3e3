"""Fixtures and sample events for tests that record real bus traffic into SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, func, select

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db import Message, open_database
from arena_core.events import Payload, event, registry
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.recorder import RecorderService
from arena_core.settings import Settings

T = TypeVar("T", bound=type[Payload])


def _register(event_type: str, model: T) -> T:
    # The module may be imported under two names; register the first class only once.
    if event_type in registry:
        return registry.model(event_type)  # type: ignore[return-value]
    return event(event_type)(model)


class SampleJobRequested(JobRequested):
    """A unit of sample work."""

    task: str
    """What to do."""
    parent_job_id: str | None = None
    """The batch job this one belongs to."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


class SampleJobCompleted(JobCompleted):
    """Sample work done."""

    result: str
    """What came out."""
    sim_time_s: float = 0.0
    """Simulated seconds spent."""

    @property
    def simulated_s(self) -> float | None:
        return self.sim_time_s


class SampleJobFailed(JobFailed):
    """Sample work failed."""

    reason: str
    """Why."""

    @property
    def why(self) -> str | None:
        return self.reason


class SampleNote(Payload):
    """A free-form note."""

    text: str
    """The note."""


SampleJobRequested = _register("sample.job.requested", SampleJobRequested)
SampleJobCompleted = _register("sample.job.completed", SampleJobCompleted)
SampleJobFailed = _register("sample.job.failed", SampleJobFailed)
SampleNote = _register("sample.note.posted", SampleNote)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    """The test's SQLite database, migrated."""
    return open_database(settings.database_path)


@pytest.fixture
async def recorder(settings: Settings, engine: Engine) -> AsyncIterator[RecorderService]:
    """A running recorder (its own connection) writing the test's database."""
    service = RecorderService(make_bus(settings, name="recorder"), settings)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def recorded_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Message)).scalar_one())


def max_recorded(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(Message.seq))).scalar() or 0)


async def settle(bus: Bus, engine: Engine, within_s: float = 20.0) -> int:
    """Wait until everything now in the stream is recorded; return the last sequence."""
    info = await bus.js.stream_info(bus.stream.name)
    last = int(info.state.last_seq)
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while max_recorded(engine) < last:
        if loop.time() > end:
            raise TimeoutError(f"recorded up to {max_recorded(engine)}, stream at {last}")
        await asyncio.sleep(0.05)
    return last


def database_path(settings: Settings) -> Path:
    return settings.database_path
