"""Shared fixtures: a real nats-server for each test (it starts in ~50 ms)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from arena_core.bus import Bus, EmbeddedNats
from arena_core.bus.testing import InMemoryBus
from arena_core.container import make_bus
from arena_core.settings import Settings

# Tests must never pick up a developer's configuration or API key.
for _var in [v for v in os.environ if v.startswith("ARENA_")] + ["ANTHROPIC_API_KEY"]:
    os.environ.pop(_var, None)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A real nats-server with JetStream and its own store, stopped after the test."""
    store = tmp_path / "nats"
    with EmbeddedNats(store, log_file=tmp_path / "nats.log") as server:
        yield server


@pytest.fixture
def nats_url(nats_server: EmbeddedNats) -> str:
    return nats_server.url


@pytest.fixture
def settings(nats_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test's server and temporary directories, short timeouts."""
    return Settings(
        nats_url=nats_url,
        home=tmp_path / ".arena",
        workspace=tmp_path / "workspace",
        ack_wait_s=5,
        nak_backoff_s=(0.1, 0.2, 0.4),
        fetch_wait_s=0.2,
    )


@pytest.fixture
async def bus(settings: Settings) -> AsyncIterator[Bus]:
    """A connected bus (stream ``ARENA`` ensured)."""
    b = make_bus(settings, name="test")
    await b.connect()
    try:
        yield b
    finally:
        await b.close()


@pytest.fixture
def memory_settings(tmp_path: Path) -> Settings:
    """Settings for services on the in-memory bus (no server), temporary directories."""
    return Settings(
        nats_url=None,
        home=tmp_path / ".arena",
        workspace=tmp_path / "workspace",
        nak_backoff_s=(0.1, 0.2, 0.4),
    )


@pytest.fixture
async def memory_bus() -> AsyncIterator[InMemoryBus]:
    """A connected in-memory bus: handler logic without a server (``arena_core.bus.testing``)."""
    b = InMemoryBus()
    await b.connect()
    try:
        yield b
    finally:
        await b.close()
