"""Connecting to NATS with retries and reconnects."""

from __future__ import annotations

import asyncio
import logging
import random

import nats
from nats.aio.client import Client

from arena_core.errors import ArenaError

log = logging.getLogger("arena.bus")


class BusUnavailable(ArenaError, ConnectionError):
    """No NATS server answered within the connect deadline."""


async def connect(
    servers: str, *, name: str, deadline_s: float = 30.0, max_backoff_s: float = 2.0
) -> Client:
    """Connect, retrying the first connection with jittered exponential backoff.

    After the first connection the client reconnects forever (the server or a cluster
    node may restart) and buffers publishes meanwhile.
    """

    client = Client()

    async def on_disconnected() -> None:
        if not (client.is_closed or client.is_draining):
            log.warning("disconnected from NATS; reconnecting")

    async def on_reconnected() -> None:
        log.info("reconnected to NATS")

    async def on_error(exc: Exception) -> None:
        log.warning("NATS error: %s", exc)

    urls = [u.strip() for u in servers.split(",") if u.strip()]
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    delay = 0.05
    while True:
        try:
            await client.connect(
                servers=urls,
                name=name,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,  # type: ignore[arg-type]  # a float works
                connect_timeout=2,
                disconnected_cb=on_disconnected,
                reconnected_cb=on_reconnected,
                error_cb=on_error,
                allow_reconnect=True,
            )
            return client
        except (TimeoutError, OSError, nats.errors.NoServersError) as exc:
            if loop.time() + delay > end:
                raise BusUnavailable(f"cannot reach NATS at {servers}: {exc}") from exc
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, max_backoff_s)
