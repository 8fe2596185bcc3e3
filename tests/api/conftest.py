"""A real API server (uvicorn on a free port) over a real recorder, NATS and SQLite."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from arena_core.api import create_app
from arena_core.api.tokens import mint
from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.access import Scope
from arena_core.settings import Settings
from tests.recorder.recording import engine, recorder, settle
from tests.support.s3 import S3, s3

__all__ = ["engine", "recorder", "s3"]


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    """Scope name (``read``, ``submit``, ``admin``) -> a token with that scope."""

    def client(self, scope: str | None = "admin") -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.tokens[scope]}"} if scope else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)


class _Thread(threading.Thread):
    def __init__(self, server: uvicorn.Server) -> None:
        super().__init__(daemon=True)
        self.server = server

    def run(self) -> None:
        asyncio.run(self.server.serve())


@pytest.fixture
def serve(settings: Settings) -> Iterator[object]:
    """Start the API for ``settings``; stop it after the test."""
    started: list[tuple[uvicorn.Server, _Thread]] = []

    def start(custom: Settings | None = None) -> str:
        config = uvicorn.Config(
            create_app(custom or settings), host="127.0.0.1", port=0, log_level="warning",
            access_log=False, lifespan="on",
        )  # fmt: skip
        server = uvicorn.Server(config)
        thread = _Thread(server)
        thread.start()
        for _ in range(400):
            if server.started:
                break
            threading.Event().wait(0.025)
        assert server.started, "the API did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        started.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(10)


async def issue_tokens(bus: Bus) -> dict[str, str]:
    tokens = {}
    for scope in Scope:
        token, created = mint(f"test-{scope}", (scope,))
        await bus.publish(Envelope.new(created))
        tokens[scope.value] = token
    return tokens


@pytest.fixture
async def api(bus: Bus, engine: Engine, recorder: object, serve: object) -> AsyncIterator[Server]:
    """A running API with one token per scope, recorded before it starts."""
    tokens = await issue_tokens(bus)
    await settle(bus, engine)
    url = await asyncio.to_thread(serve)  # type: ignore[arg-type]
    yield Server(url=url, tokens=tokens)


@pytest.fixture
async def api_with_backups(
    bus: Bus, engine: Engine, recorder: object, serve: object, settings: Settings, s3: S3
) -> AsyncIterator[Server]:
    """``api`` with backups going to a real S3-compatible server."""
    tokens = await issue_tokens(bus)
    await settle(bus, engine)
    url = await asyncio.to_thread(serve, s3.settings(settings))  # type: ignore[arg-type]
    yield Server(url=url, tokens=tokens)
