"""In-progress acks sent from a thread of their own, over a NATS connection of their own.

A pull worker keeps a message by acking "in progress" more often than ``ack_wait``. Sent
from the event loop, those acks stop whenever a handler holds the loop: a second of CPU
in a tool call is several on a loaded machine, and the message is delivered again to
another process, which does the whole job a second time. Sent from this thread they
continue while the process lives and its loop still turns; a killed process stops them at
once (its messages are redelivered after ``ack_wait``), and so does a loop that has not
turned for ``LOOP_STALL_LIMIT_S`` (a hung process gives its work back).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from arena_core.bus.connection import connect

log = logging.getLogger("arena.consumer")

IN_PROGRESS = b"+WPI"
"""JetStream's "work in progress" ack: resets the message's ``ack_wait``."""
LOOP_STALL_LIMIT_S = 30.0
"""A loop that has not turned for this long is taken as hung: its messages are let go."""


class Heartbeats:
    """Acks the messages a worker holds as in progress, every ``interval_s``.

    The worker's loop calls ``hold`` with the reply subjects of the messages it holds
    whenever that set changes, and ``pulse`` at least every ``interval_s``.
    """

    def __init__(self, servers: str, *, name: str, interval_s: float) -> None:
        self.servers = servers
        self.name = name
        self.interval_s = interval_s
        self._replies: frozenset[str] = frozenset()
        self._pulsed_at = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, replies: frozenset[str]) -> None:
        self._replies = replies  # one assignment: the thread sees the old set or the new

    def pulse(self) -> None:
        self._pulsed_at = time.monotonic()

    def start(self) -> None:
        self.pulse()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.run(self._beat())

    async def _beat(self) -> None:
        nc = None
        try:
            while not self._stop.is_set():
                if nc is None:
                    try:
                        nc = await connect(self.servers, name=self.name, deadline_s=5)
                    except Exception as exc:  # the worker's own connection reports outages
                        log.warning("heartbeats cannot connect (%s); retrying", exc)
                        await asyncio.sleep(self.interval_s)
                        continue
                await asyncio.sleep(self.interval_s)
                if time.monotonic() - self._pulsed_at > LOOP_STALL_LIMIT_S:
                    continue
                for reply in self._replies:
                    with contextlib.suppress(Exception):  # buffered while reconnecting
                        await nc.publish(reply, IN_PROGRESS)
        finally:
            if nc is not None:
                with contextlib.suppress(Exception):
                    await nc.close()
