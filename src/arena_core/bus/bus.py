"""The typed bus: publish envelopes, await replies, hand out pull consumers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.errors import APIError, NoStreamResponseError, ServiceUnavailableError

from arena_core.bus.connection import connect
from arena_core.bus.stream import StreamSpec, ensure_stream
from arena_core.errors import ArenaError
from arena_core.events import (
    DecodeError,
    Envelope,
    EventRegistry,
    Payload,
    decode,
    encode,
    registry,
    subject_for,
)
from arena_core.events.errors import DeadLetter, InvalidMessage
from arena_core.events.wire import HEADER_CAUSATION

if TYPE_CHECKING:
    from arena_core.bus.consumer import ConsumerSpec, PullWorker, Worker
    from arena_core.bus.delivery import Handler
    from arena_core.events import AgentRef

log = logging.getLogger("arena.bus")


class PublishError(ArenaError, RuntimeError):
    """JetStream did not confirm a publish."""


class RequestTimeout(ArenaError, TimeoutError):
    """No reply to a request arrived in time."""


class RequestFailed(ArenaError, RuntimeError):
    """A request was answered with an error event (invalid input or dead letter)."""

    def __init__(self, reply: Envelope[Any]) -> None:
        super().__init__(f"{reply.type}: {reply.payload}")
        self.reply = reply


_LEADERLESS = (
    NoRespondersError,
    NoStreamResponseError,
    ServiceUnavailableError,
    nats.errors.TimeoutError,
    TimeoutError,
)
"""Errors of a stream that is briefly unreachable (a cluster electing a leader)."""

FAILURE_TYPES = (InvalidMessage.EVENT_TYPE, DeadLetter.EVENT_TYPE)
_ANSWER_SCAN_LIMIT = 10_000
"""Messages of one reply subject read while looking for an earlier answer."""


@dataclass
class Waiter:
    """A request awaiting its answer."""

    future: asyncio.Future[Envelope[Any]]
    types: frozenset[str]
    """Event types that answer it (besides the failure types)."""
    after_seq: int | None = None
    """Stream sequence of the request once JetStream stored it; answers come later."""


@dataclass(frozen=True)
class Published:
    """JetStream's ack of one publish."""

    seq: int
    """Stream sequence of the message (of the first copy, for a duplicate)."""
    duplicate: bool
    """True when the envelope id was already on the stream (the publish was dropped)."""


class Bus:
    """One connection to NATS JetStream shared by a process."""

    def __init__(
        self,
        servers: str,
        *,
        name: str = "arena",
        stream: StreamSpec | None = None,
        events: EventRegistry = registry,
        connect_deadline_s: float = 30.0,
    ) -> None:
        self.servers = servers
        self.name = name
        self.connect_deadline_s = connect_deadline_s
        """How long the first connection may take before ``BusUnavailable``."""
        self.stream = stream or StreamSpec()
        self.events = events
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._reply_subs: dict[str, Subscription] = {}
        self._waiters: dict[str, Waiter] = {}
        self._recoveries: set[asyncio.Task[None]] = set()

    @property
    def nc(self) -> Client:
        if self._nc is None:
            raise RuntimeError("bus is not connected: call 'await bus.connect()' first")
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("bus is not connected: call 'await bus.connect()' first")
        return self._js

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def connect(self, *, deadline_s: float | None = None) -> Bus:
        """Connect (``BusUnavailable`` when NATS does not answer within ``deadline_s``,
        default the bus's ``connect_deadline_s``) and make sure the stream exists."""
        if self._nc is None:
            self._nc = await connect(
                self.servers, name=self.name, reconnected=self._reconnected,
                deadline_s=self.connect_deadline_s if deadline_s is None else deadline_s,
            )  # fmt: skip
            self._js = self._nc.jetstream(publish_async_max_pending=4096)
            await ensure_stream(self._js, self.stream)
        return self

    async def close(self) -> None:
        if self._nc is not None:
            nc, self._nc, self._js = self._nc, None, None
            for waiter in self._waiters.values():
                if not waiter.future.done():
                    waiter.future.cancel()
            for task in self._recoveries:
                task.cancel()
            self._reply_subs.clear()
            if not nc.is_closed:
                await nc.drain()

    async def __aenter__(self) -> Bus:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- publishing ---------------------------------------------------------------

    async def publish(self, envelope: Envelope[Any], *, timeout: float = 10.0) -> int:
        """Publish and wait for JetStream's ack; return the stream sequence.

        A duplicate (same envelope id inside the duplicate window) returns the
        sequence of the first copy, so publishing is idempotent — which is what makes
        retrying safe while a cluster elects a new stream leader.
        """
        return (await self._publish(envelope, timeout)).seq

    async def _publish(self, envelope: Envelope[Any], timeout: float) -> Published:
        subject, body, headers = encode(envelope)
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        delay = 0.05
        while True:
            try:
                ack = await self.js.publish(
                    subject, body, timeout=max(end - loop.time(), 0.1),
                    stream=self.stream.name, headers=headers,
                )  # fmt: skip
                if ack.duplicate:
                    log.info("%s %s is a duplicate of seq %s", envelope.type, envelope.id, ack.seq)
                return Published(int(ack.seq), bool(ack.duplicate))
            except _LEADERLESS as exc:
                if loop.time() + delay >= end:
                    raise PublishError(f"{envelope.type} {envelope.id}: {exc!r}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
            except APIError as exc:
                raise PublishError(f"{envelope.type} {envelope.id}: {exc!r}") from exc

    async def publish_many(self, envelopes: Iterable[Envelope[Any]]) -> list[int]:
        """Publish without waiting between messages, then await every ack (in order)."""
        futures = []
        for envelope in envelopes:
            subject, body, headers = encode(envelope)
            futures.append(
                await self.js.publish_async(subject, body, stream=self.stream.name, headers=headers)
            )
        seqs = []
        for future in futures:
            try:
                ack = await future
            except (APIError, TimeoutError) as exc:
                raise PublishError(repr(exc)) from exc
            seqs.append(int(ack.seq))
        return seqs

    async def publish_raw(
        self, subject: str, body: bytes, headers: dict[str, str] | None = None
    ) -> int:
        """Publish bytes as they are (tools and tests that speak for other clients)."""
        ack = await self.js.publish(subject, body, stream=self.stream.name, headers=headers)
        return int(ack.seq)

    # -- consuming ------------------------------------------------------------------

    def worker(
        self,
        spec: ConsumerSpec,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int,
        fetch_batch: int,
        fetch_timeout_s: float = 1.0,
        agent: AgentRef | None = None,
    ) -> Worker:
        """The worker that runs ``handlers`` on the durable consumer ``spec``."""
        from arena_core.bus.consumer import PullWorker

        return self._feed(
            PullWorker(
                self,
                spec,
                handlers,
                concurrency=concurrency,
                fetch_batch=fetch_batch,
                fetch_timeout_s=fetch_timeout_s,
                agent=agent,
            )
        )

    def _feed(self, pull: PullWorker) -> Worker:
        """How messages reach ``pull``: on NATS it fetches them itself."""
        return pull

    async def serve(self, subject: str, answer: Callable[[], bytes]) -> Any:
        """Answer every core-NATS request on ``subject`` (not recorded); return the subscription."""

        async def respond(msg: Msg) -> None:
            if msg.reply:
                await msg.respond(answer())

        return await self.nc.subscribe(subject, cb=respond)

    # -- request / response ---------------------------------------------------------

    async def request(
        self,
        envelope: Envelope[Any],
        replies: Sequence[type[Payload]],
        *,
        timeout: float = 120.0,
    ) -> Envelope[Any]:
        """Publish ``envelope`` and return the first event of a ``replies`` type it caused.

        The reply is matched by ``causation_id``. An ``error.invalid_message`` or
        ``error.dead_letter`` caused by the request raises ``RequestFailed``. When the
        request is a duplicate of one already on the stream (a redelivered handler
        asking again with the same derived id), an answer already on the stream is
        returned at once instead of waiting for one that was sent before.
        """
        if not replies:
            raise ValueError("request needs at least one reply type")
        types = frozenset(r.EVENT_TYPE for r in replies)
        await self._listen_for(types | set(FAILURE_TYPES))
        future: asyncio.Future[Envelope[Any]] = asyncio.get_running_loop().create_future()
        waiter = self._waiters[envelope.id] = Waiter(future, types)
        try:
            published = await self._publish(envelope, 10.0)
            waiter.after_seq = published.seq
            if published.duplicate and not future.done():
                earlier = await self._answer_on_stream(envelope.id, types, published.seq)
                if earlier is not None and not future.done():
                    self._settle(future, types, earlier)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise RequestTimeout(
                f"no {' or '.join(sorted(types))} answered {envelope.type} {envelope.id} "
                f"within {timeout:g}s"
            ) from None
        finally:
            self._waiters.pop(envelope.id, None)

    async def _listen_for(self, types: set[str] | frozenset[str]) -> None:
        """Subscribe to the subjects of replies of ``types`` (once per subject)."""
        for event_type in types:
            await self._subscribe_replies(subject_for(event_type))
        await self.nc.flush()

    async def _reconnected(self) -> None:
        """After a reconnect, look on the stream for answers sent while we were away.

        Replies reach ``request`` through a plain subscription, which misses whatever
        was published while the connection was down (a NATS restart): without this the
        request would wait for its full timeout for an answer already stored. Runs as a
        task, because nats-py awaits this callback inside its reconnect loop.
        """
        task = asyncio.get_running_loop().create_task(self._recover_answers())
        self._recoveries.add(task)
        task.add_done_callback(self._recoveries.discard)

    async def _recover_answers(self) -> None:
        for request_id, waiter in list(self._waiters.items()):
            if waiter.after_seq is None or waiter.future.done():
                continue  # not stored yet: its answer cannot be either
            try:
                earlier = await self._answer_on_stream(request_id, waiter.types, waiter.after_seq)
            except Exception as exc:  # the connection dropped again: the next reconnect retries
                log.warning("could not look for the answer to %s: %r", request_id, exc)
                return
            if earlier is not None and not waiter.future.done():
                log.info("answer to %s found on the stream after a reconnect", request_id)
                self._settle(waiter.future, waiter.types, earlier)

    async def _answer_on_stream(
        self, request_id: str, types: frozenset[str], after_seq: int
    ) -> Envelope[Any] | None:
        """The first reply or failure caused by ``request_id`` stored after ``after_seq``."""
        found: list[tuple[int, Envelope[Any]]] = []
        for event_type in sorted(types | set(FAILURE_TYPES)):
            subject = subject_for(event_type)
            seq = after_seq + 1
            for _ in range(_ANSWER_SCAN_LIMIT):
                try:
                    stored = await self.js.get_msg(
                        self.stream.name, seq=seq, subject=subject, next=True
                    )
                except (nats.js.errors.NotFoundError, *_LEADERLESS):
                    break
                seq = int(stored.seq or seq) + 1
                if (stored.headers or {}).get(HEADER_CAUSATION) != request_id:
                    continue
                try:
                    reply = decode(subject, stored.data or b"", stored.headers, events=self.events)
                except DecodeError:
                    continue
                found.append((seq, reply))
                break
        return min(found, key=lambda f: f[0])[1] if found else None

    @staticmethod
    def _settle(
        future: asyncio.Future[Envelope[Any]], types: frozenset[str], reply: Envelope[Any]
    ) -> None:
        if reply.type in types:
            future.set_result(reply)
        elif reply.type in FAILURE_TYPES:
            future.set_exception(RequestFailed(reply))

    async def _subscribe_replies(self, subject: str) -> None:
        if subject not in self._reply_subs:
            self._reply_subs[subject] = await self.nc.subscribe(subject, cb=self._on_reply)

    async def _on_reply(self, msg: Msg) -> None:
        causation = (msg.headers or {}).get(HEADER_CAUSATION)
        waiter = self._waiters.get(causation) if causation else None
        if waiter is None or waiter.future.done():
            return
        try:
            reply = decode(msg.subject, msg.data, msg.headers, events=self.events)
        except DecodeError as exc:
            log.warning("undecodable reply on %s: %s", msg.subject, exc)
            return
        self._settle(waiter.future, waiter.types, reply)
