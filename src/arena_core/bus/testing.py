"""An in-memory bus for unit tests of handler logic: no server, no waiting.

``InMemoryBus`` is a :class:`Bus` whose publish encodes the envelope exactly as on the
wire, keeps it in an in-memory stream (sequence numbers, de-duplication by message id)
and hands it straight to the handler of every service consuming its subject, through
the same settling code as on NATS (ack, ``error.invalid_message`` on bad input,
``error.handler_failed`` and redelivery on failure, ``error.dead_letter`` after
``max_deliver``). Request/response by causation id works; so does a service started
after the message was published (its durable consumer gets the backlog).

Handlers run inline: ``await bus.publish(job)`` returns once every event the job
caused has been handled, so a test asserts on ``bus.published`` right after. Redelivery
backoff is not waited for. Integration tests keep the real nats-server::

    bus = InMemoryBus()
    async with SimRunnerService(bus, settings).running():
        reply = await bus.request(job, [SimJobCompleted, SimJobFailed])
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TypeVar

from arena_core.bus.bus import FAILURE_TYPES, Bus, Published
from arena_core.bus.consumer import PullWorker
from arena_core.bus.settle import WorkerStats
from arena_core.bus.stream import StreamSpec
from arena_core.events import (
    DecodeError,
    Envelope,
    EventRegistry,
    Payload,
    decode,
    encode,
    registry,
)
from arena_core.events.wire import HEADER_CAUSATION, HEADER_MSG_ID

P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class StoredMessage:
    """One message of the in-memory stream, as it would be stored by JetStream."""

    seq: int
    subject: str
    data: bytes
    headers: dict[str, str]


class _Message:
    """A delivered message with the settling calls of ``nats.aio.msg.Msg``."""

    def __init__(self, stored: StoredMessage, attempt: int) -> None:
        self.subject = stored.subject
        self.data = stored.data
        self.headers = dict(stored.headers)
        self.reply = ""
        self.metadata = SimpleNamespace(
            num_delivered=attempt, sequence=SimpleNamespace(stream=stored.seq)
        )
        self.settled: str | None = None

    async def ack(self) -> None:
        self.settled = "ack"

    async def nak(self, delay: float | None = None) -> None:
        self.settled = "nak"

    async def term(self) -> None:
        self.settled = "term"

    async def in_progress(self) -> None:
        """A heartbeat: nothing times out in memory."""


class _Responder:
    def __init__(self, bus: InMemoryBus, subject: str) -> None:
        self.bus = bus
        self.subject = subject

    async def unsubscribe(self) -> None:
        self.bus._responders.pop(self.subject, None)


class InMemoryWorker:
    """A service's consumer on the in-memory bus (a :class:`Worker`)."""

    def __init__(self, bus: InMemoryBus, pull: PullWorker) -> None:
        self.bus = bus
        self.spec = pull.spec
        self._pull = pull
        self._stopped = asyncio.Event()
        self._running = 0
        bus._workers.append(self)  # from now on, new messages are handed over inline

    @property
    def stats(self) -> WorkerStats:
        return self._pull.stats

    @property
    def in_flight(self) -> int:
        return self._running

    def stop(self) -> None:
        self._stopped.set()
        if self in self.bus._workers:
            self.bus._workers.remove(self)

    async def run(self) -> None:
        """Deliver the backlog (its first fetch, even if already asked to stop), then idle."""
        try:
            for stored in list(self.bus.messages):
                if self.wants(stored.subject) and not self.bus._was_delivered(self, stored):
                    await self.deliver(stored)
            await self._stopped.wait()
        finally:
            self.stop()

    def wants(self, subject: str) -> bool:
        return any(_matches(pattern, subject) for pattern in self.spec.subjects)

    async def deliver(self, stored: StoredMessage) -> None:
        """Hand one message to the handler until it is acked, terminated or given up."""
        self.bus._delivered.setdefault(self.spec.durable, set()).add(stored.seq)
        for attempt in range(1, self.spec.max_deliver + 1):
            message = _Message(stored, attempt)
            self._running += 1
            try:
                await self._pull._handle(message)  # type: ignore[arg-type]
            finally:
                self._running -= 1
            if message.settled != "nak":
                return


class InMemoryBus(Bus):
    """A :class:`Bus` without a server (see the module docstring)."""

    def __init__(
        self,
        *,
        name: str = "memory",
        stream: StreamSpec | None = None,
        events: EventRegistry = registry,
    ) -> None:
        super().__init__("memory://", name=name, stream=stream, events=events)
        self.messages: list[StoredMessage] = []
        """Every message published, in stream order (duplicates dropped)."""
        self._connected = False
        self._ids: dict[str, int] = {}
        self._workers: list[InMemoryWorker] = []
        self._delivered: dict[str, set[int]] = {}
        self._responders: dict[str, Callable[[], bytes]] = {}

    # -- connection -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    async def connect(self, *, deadline_s: float | None = None) -> InMemoryBus:
        self._connected = True
        return self

    async def close(self) -> None:
        self._connected = False
        for waiter in self._waiters.values():
            if not waiter.future.done():
                waiter.future.cancel()

    @property
    def nc(self) -> Any:
        raise RuntimeError("the in-memory bus has no NATS connection")

    @property
    def js(self) -> Any:
        raise RuntimeError("the in-memory bus has no JetStream context")

    # -- what was published ---------------------------------------------------------

    @property
    def published(self) -> list[Envelope[Any]]:
        """Every decodable message published so far, in order."""
        out = []
        for stored in self.messages:
            try:
                out.append(decode(stored.subject, stored.data, stored.headers, events=self.events))
            except DecodeError:
                continue
        return out

    def of_type(self, model: type[P]) -> list[Envelope[P]]:
        """The published envelopes whose payload is a ``model``."""
        return [e for e in self.published if e.type == model.EVENT_TYPE]

    # -- publishing -------------------------------------------------------------------

    async def _publish(self, envelope: Envelope[Any], timeout: float) -> Published:
        subject, body, headers = encode(envelope)
        first = len(self.messages)
        seq = await self._store(subject, body, headers)
        return Published(seq, duplicate=seq <= first)

    async def publish_many(self, envelopes: Iterable[Envelope[Any]]) -> list[int]:
        return [await self.publish(e) for e in envelopes]

    async def publish_raw(
        self, subject: str, body: bytes, headers: dict[str, str] | None = None
    ) -> int:
        return await self._store(subject, body, dict(headers or {}))

    async def _store(self, subject: str, body: bytes, headers: dict[str, str]) -> int:
        if not self._connected:
            raise RuntimeError("bus is not connected: call 'await bus.connect()' first")
        msg_id = headers.get(HEADER_MSG_ID)
        if msg_id is not None and msg_id in self._ids:
            return self._ids[msg_id]  # the duplicate window: same id, first copy's sequence
        stored = StoredMessage(len(self.messages) + 1, subject, body, headers)
        self.messages.append(stored)
        if msg_id is not None:
            self._ids[msg_id] = stored.seq
        await self._on_reply(stored)  # type: ignore[arg-type]
        for worker in list(self._workers):
            if self._owed(worker, stored):
                await worker.deliver(stored)
        return stored.seq

    def _owed(self, worker: InMemoryWorker, stored: StoredMessage) -> bool:
        """Whether ``worker`` takes ``stored`` for its durable consumer (one per durable)."""
        durable = worker.spec.durable
        first = next(w for w in self._workers if w.spec.durable == durable)
        return (
            first is worker
            and worker.wants(stored.subject)
            and not self._was_delivered(worker, stored)
        )

    def _was_delivered(self, worker: InMemoryWorker, stored: StoredMessage) -> bool:
        return stored.seq in self._delivered.get(worker.spec.durable, set())

    # -- request / response / consuming ---------------------------------------------

    async def _listen_for(self, types: set[str] | frozenset[str]) -> None:
        """Every stored message is offered to the waiting requests: nothing to subscribe."""

    async def _answer_on_stream(
        self, request_id: str, types: frozenset[str], after_seq: int
    ) -> Envelope[Any] | None:
        for stored in self.messages[after_seq:]:
            if stored.headers.get(HEADER_CAUSATION) != request_id:
                continue
            try:
                reply = decode(stored.subject, stored.data, stored.headers, events=self.events)
            except DecodeError:
                continue
            if reply.type in types or reply.type in FAILURE_TYPES:
                return reply
        return None

    def _feed(self, pull: PullWorker) -> InMemoryWorker:
        """Messages are handed to ``pull`` as they are published."""
        return InMemoryWorker(self, pull)

    async def serve(self, subject: str, answer: Callable[[], bytes]) -> _Responder:
        self._responders[subject] = answer
        return _Responder(self, subject)

    async def ask(self, subject: str) -> bytes | None:
        """What the responder on ``subject`` answers (e.g. a service's health)."""
        answer = self._responders.get(subject)
        return answer() if answer else None


def _matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, a final ``>`` one or more."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)
