"""A continuous pull from one durable consumer, taken in batches.

nats-py's ``fetch`` waits for every message with a task and a timeout of its own, which
costs more than recording the message. The feed keeps pull requests outstanding on one
inbox and collects deliveries in the subscription's callback, so the server streams
without waiting for the client and the recorder takes whatever has arrived as a batch.

Every delivery carries its consumer sequence, which grows by exactly one per delivery:
a skipped number means a delivery was lost on the way (e.g. dropped by the client as a
slow consumer). The feed then stops at the gap and says so in ``broken``; acking past
it would acknowledge the lost message, so the owner commits what it has and restarts
the consumer after its last commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import Header

log = logging.getLogger("arena.recorder")

_CONSUMER_DELETED = "Consumer Deleted"
_V1_TOKENS = 9
_V2_TOKENS = 11


class FeedBroken(StrEnum):
    """Why a feed stopped delivering; its owner restarts the consumer."""

    delivery_gap = "delivery_gap"
    """A consumer sequence was skipped: a delivery was lost between server and client."""
    consumer_deleted = "consumer_deleted"
    """The consumer disappeared under the feed."""


class Delivered(NamedTuple):
    """One message as the consumer delivered it."""

    msg: Msg
    """The raw NATS message."""
    stream_seq: int
    """Its sequence in the stream (the recording's key)."""
    consumer_seq: int
    """Its delivery number on this consumer (one more than the previous delivery)."""
    stored_at: datetime
    """When the server stored it (UTC)."""


@dataclass
class _Pull:
    remaining: int
    deadline: float


class Feed:
    """Deliveries of one pull consumer, requested ahead and handed out in batches.

    ``window`` bounds how many messages are requested or waiting to be taken, and
    ``window_bytes`` how many bytes a pull request may bring; the consumer's
    ``max_ack_pending`` bounds what is delivered and not yet acknowledged. The feed
    expects a consumer nobody else pulls from, whose next delivery is
    ``first_consumer_seq`` (1 for a consumer created for it).
    """

    def __init__(
        self,
        nc: Client,
        stream: str,
        durable: str,
        *,
        window: int,
        window_bytes: int = 64 * 1024 * 1024,
        expires_s: float = 2.0,
        first_consumer_seq: int = 1,
    ) -> None:
        self.nc = nc
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self.window = max(window, 2)
        self.request_size = max(self.window // 2, 1)
        self.window_bytes = window_bytes
        self.expires_s = expires_s
        self.broken: FeedBroken | None = None
        self._pulls: deque[_Pull] = deque()
        self._requested = 0
        self._arrived: list[Delivered] = []
        self._wake_at = 1
        self._ready = asyncio.Event()
        self._next_consumer_seq = first_consumer_seq
        self._sub: Subscription | None = None
        self._inbox = ""
        self._closed = False

    async def open(self) -> Feed:
        self._inbox = self.nc.new_inbox()
        # The window, not the client's pending limits, bounds what piles up here.
        self._sub = await self.nc.subscribe(
            self._inbox,
            cb=self._on_message,
            pending_msgs_limit=max(self.window * 4, 65_536),
            pending_bytes_limit=max(self.window_bytes * 4, 256 * 1024 * 1024),
        )
        await self._top_up()
        return self

    async def close(self) -> None:
        """Stop requesting; deliveries still on their way are dropped (never acked)."""
        self._closed = True
        self._ready.set()
        if self._sub is not None:
            sub, self._sub = self._sub, None
            try:
                await sub.unsubscribe()
            except Exception as exc:  # a closed connection has no interest left anyway
                log.debug("feed unsubscribe failed: %r", exc)

    async def take(self, limit: int, linger_s: float) -> list[Delivered]:
        """Up to ``limit`` deliveries, in delivery order.

        Returns as soon as ``limit`` have arrived, else after ``linger_s`` with whatever
        arrived (possibly nothing), or at once when the feed broke or was closed.
        """
        if len(self._arrived) < limit and not (self.broken or self._closed):
            self._wake_at = limit
            self._ready.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), linger_s)
        taken = self._arrived[:limit]
        del self._arrived[:limit]
        if not (self.broken or self._closed):
            await self._top_up()
        return taken

    # -- pull requests ----------------------------------------------------------------

    async def _top_up(self) -> None:
        """Request more while fewer than ``window`` messages are requested or waiting."""
        loop_time = asyncio.get_running_loop().time()
        while self._pulls and self._pulls[0].deadline < loop_time:
            # Its end (a 408 status) was lost, e.g. across a reconnect: stop counting it.
            self._requested -= self._pulls.popleft().remaining
        max_bytes = max(self.window_bytes, 2 * self.nc.max_payload)
        expires_ns = int(self.expires_s * 1e9)
        while self._requested + len(self._arrived) + self.request_size <= self.window:
            body = orjson.dumps(
                {"batch": self.request_size, "max_bytes": max_bytes, "expires": expires_ns}
            )
            await self.nc.publish(self.subject, body, reply=self._inbox)
            self._pulls.append(_Pull(self.request_size, loop_time + self.expires_s + 1.0))
            self._requested += self.request_size

    def _pull_done(self) -> None:
        if self._pulls:
            self._requested -= self._pulls.popleft().remaining

    # -- deliveries -------------------------------------------------------------------

    async def _on_message(self, msg: Msg) -> None:
        if not msg.reply:
            await self._on_status(msg)
            return
        if self.broken is not None:
            return  # past a gap: everything here is delivered again after the restart
        stream_seq, consumer_seq, stored_ns = _ack_fields(msg)
        expected = self._next_consumer_seq
        if consumer_seq != expected:
            log.warning("delivery %d never arrived (got %d)", expected, consumer_seq)
            self.broken = FeedBroken.delivery_gap
            self._ready.set()
            return
        self._next_consumer_seq = consumer_seq + 1
        stored_at = datetime.fromtimestamp(stored_ns / 1e9, UTC)
        self._arrived.append(Delivered(msg, stream_seq, consumer_seq, stored_at))
        if self._pulls:
            pull = self._pulls[0]
            pull.remaining -= 1
            self._requested -= 1
            if pull.remaining <= 0:
                self._pulls.popleft()
        if len(self._arrived) >= self._wake_at:
            self._ready.set()
        room = self.window - self._requested - len(self._arrived)
        if room >= self.request_size and not self._closed:
            await self._top_up()

    async def _on_status(self, msg: Msg) -> None:
        headers = msg.headers or {}
        status = headers.get(Header.STATUS) or headers.get("Status")
        if status is None or status == "100":
            return  # heartbeat or flow control
        # 404 / 408 / 409 end the oldest pull request (the server serves them in order).
        self._pull_done()
        if status == "409" and _description(headers) == _CONSUMER_DELETED:
            self.broken = FeedBroken.consumer_deleted
            self._ready.set()
            return
        if not self._closed and self.broken is None:
            await self._top_up()


def _description(headers: dict[str, str]) -> str | None:
    # nats-py keys the status description by its Header enum member.
    return headers.get(Header.DESCRIPTION) or headers.get("Description")


def _ack_fields(msg: Msg) -> tuple[int, int, int]:
    """Stream sequence, consumer sequence and storage time (ns) from the ack subject.

    ``$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ns>.<pending>``, or the
    same with ``<domain>.<account>`` after ``ACK`` (nats-py's ``metadata`` reads both,
    but builds far more than the recorder needs on every message).
    """
    tokens = msg.reply.split(".")
    if len(tokens) == _V1_TOKENS:
        return int(tokens[5]), int(tokens[6]), int(tokens[7])
    if len(tokens) >= _V2_TOKENS and tokens[0] == "$JS" and tokens[1] == "ACK":
        return int(tokens[7]), int(tokens[8]), int(tokens[9])
    meta = msg.metadata  # raises NotJSMessageError for anything else
    stored_ns = int(meta.timestamp.timestamp() * 1e9)
    return int(meta.sequence.stream), int(meta.sequence.consumer), stored_ns
