"""Connecting to NATS with retries and reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

import nats
from nats.aio.client import Client

from arena_core.errors import ArenaError

log = logging.getLogger("arena.bus")


class BusUnavailable(ArenaError, ConnectionError):
    """No NATS server answered within the connect deadline."""


INTERACTIVE_DEADLINE_S = 3.0
"""How long a command-line tool waits for NATS before saying, in one line, it cannot."""
RECONNECT_WAIT_S = 0.5
"""Pause between reconnect attempts to one server, once connected."""
_ATTEMPT_TIMEOUT_S = 2


Reconnected = Callable[[], Awaitable[None]]
"""Called after each reconnect, once the client's subscriptions are back on the server."""


async def connect(
    servers: str,
    *,
    name: str,
    deadline_s: float = 30.0,
    max_backoff_s: float = 2.0,
    reconnected: Reconnected | None = None,
) -> Client:
    """Connect, retrying the first connection with jittered exponential backoff.

    The first connection fails with ``BusUnavailable`` (one line naming the URL) once
    ``deadline_s`` has passed. Only after it succeeded does the client reconnect
    forever (the server or a cluster node may restart), buffering publishes meanwhile;
    ``reconnected`` then runs after each reconnect.
    """
    urls = [u.strip() for u in servers.split(",") if u.strip()]
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    delay = 0.05
    reason = "no answer"
    while True:
        client = Client()
        left = end - loop.time()
        try:
            # One pass over the servers per attempt: with unlimited reconnects nats-py
            # would retry inside connect() forever and the deadline would never fire.
            errors: list[Exception] = []
            first = _first_connect(client, urls, name, errors, reconnected)
            await asyncio.wait_for(first, max(0.01, left))
            client.options["max_reconnect_attempts"] = -1
            client.options["reconnect_time_wait"] = RECONNECT_WAIT_S
            return client
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            with contextlib.suppress(Exception):
                await client.close()
            seen = [*errors, exc]
            cause = next((e for e in reversed(seen) if isinstance(e, OSError)), seen[-1])
            if not isinstance(cause, TimeoutError) or reason == "no answer":
                reason = " ".join(str(cause).split()) or type(cause).__name__
            if loop.time() + delay > end:
                raise BusUnavailable(
                    f"cannot reach NATS at {redacted(servers)} within {deadline_s:g} s: {reason}; "
                    "start it (arena up, arena nats) or point ARENA_NATS_URL at a running one"
                ) from exc
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, max_backoff_s)


def redacted(servers: str) -> str:
    """The server URLs with any password replaced by ``***`` (safe for messages and logs)."""
    shown = []
    for url in (u.strip() for u in servers.split(",")):
        parts = urlsplit(url)
        if parts.password is not None:
            host = parts.netloc.rsplit("@", 1)[1]
            parts = parts._replace(netloc=f"{parts.username}:***@{host}")
        shown.append(urlunsplit(parts))
    return ",".join(shown)


async def _first_connect(
    client: Client,
    urls: list[str],
    name: str,
    errors: list[Exception],
    reconnected: Reconnected | None,
) -> None:
    """One pass over ``urls``; the errors of the failed tries land in ``errors``."""

    async def on_disconnected() -> None:
        if not (client.is_closed or client.is_draining):
            log.warning("disconnected from NATS; reconnecting")

    async def on_reconnected() -> None:
        log.info("reconnected to NATS")
        if reconnected is not None:
            await reconnected()

    async def on_error(exc: Exception) -> None:
        if client.is_connected or client.is_reconnecting:
            log.warning("NATS error: %s", exc)
        else:
            errors.append(exc)

    await client.connect(
        servers=urls,
        name=name,
        max_reconnect_attempts=1,
        reconnect_time_wait=0.05,  # type: ignore[arg-type]  # a float works
        connect_timeout=_ATTEMPT_TIMEOUT_S,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
        error_cb=on_error,
        allow_reconnect=True,
    )
