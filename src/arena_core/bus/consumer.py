"""Durable pull consumers shared by every process of a service (work-queue semantics)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import nats.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import ServiceUnavailableError

from arena_core.bus.bus import Bus
from arena_core.bus.controls import CANCELLED, PAUSED, JobControls
from arena_core.bus.delivery import Delivery, Handler, HandlerRejected
from arena_core.bus.heartbeat import Heartbeats
from arena_core.bus.settle import Settler, WorkerStats
from arena_core.events import AgentRef, DecodeError, decode
from arena_core.logging import bind_event

log = logging.getLogger("arena.consumer")

HEARTBEATS_PER_ACK_WAIT = 4
"""In-progress acks per ``ack_wait``: three may be lost or late before a redelivery."""
HOLD_POLL_S = 1.0
"""How often a held child of a paused batch looks at its batch's controls again."""
REFILL_WAIT_S = 0.2
"""How long a worker with fewer free slots than half a batch waits for more to free up
before it fetches for the ones it has."""


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer on the ``ARENA`` stream."""

    durable: str
    """Consumer name; every process of one service uses the same one."""
    subjects: tuple[str, ...]
    """Subjects it receives (``filter_subjects``)."""
    ack_wait_s: float = 5.0
    """Redelivery delay of an unacked message; ``PullWorker`` heartbeats 4x per period."""
    max_deliver: int = 5
    max_ack_pending: int = 256
    backoff_s: tuple[float, ...] = (0.5, 2.0, 8.0, 30.0)
    """nak delay after the n-th failure; the last value repeats."""
    deliver_new_only: bool = False
    """Start at messages published after creation instead of the start of the stream."""

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.NEW if self.deliver_new_only else DeliverPolicy.ALL,
            ack_wait=self.ack_wait_s,
            max_deliver=self.max_deliver,
            max_ack_pending=self.max_ack_pending,
            filter_subjects=list(self.subjects) if len(self.subjects) > 1 else None,
            filter_subject=self.subjects[0] if len(self.subjects) == 1 else None,
            max_waiting=512,
        )

    def nak_delay(self, attempt: int) -> float:
        return self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)]


async def ensure_consumer(js: JetStreamContext, stream: str, spec: ConsumerSpec) -> None:
    """Create the durable consumer or update it to ``spec`` (idempotent)."""
    await js.add_consumer(stream, spec.config())


async def _retry_unavailable(call: Callable[[], Awaitable[None]], deadline_s: float = 60.0) -> None:
    """Retry a JetStream API call while the cluster has no leader for it (503)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    delay = 0.1
    while True:
        try:
            await call()
            return
        except (ServiceUnavailableError, nats.errors.NoRespondersError, TimeoutError):
            if loop.time() + delay > end:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


class Worker(Protocol):
    """Runs a service's handlers on its consumer until stopped (``PullWorker`` on NATS)."""

    @property
    def stats(self) -> WorkerStats: ...

    @property
    def in_flight(self) -> int: ...

    async def run(self) -> None: ...

    def stop(self) -> None: ...


class PullWorker:
    """Fetches batches from one durable consumer and runs handlers concurrently.

    Acks only after the handler returned (and so after its own events were acked by
    JetStream); naks with backoff when it raised; terminates invalid input with an
    ``error.invalid_message`` event; dead-letters after ``max_deliver``.
    """

    def __init__(
        self,
        bus: Bus,
        spec: ConsumerSpec,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 8,
        fetch_batch: int = 64,
        fetch_timeout_s: float = 1.0,
        agent: AgentRef | None = None,
    ) -> None:
        self.bus = bus
        self.spec = spec
        self.handlers = dict(handlers)
        self.concurrency = concurrency
        self.fetch_batch = fetch_batch
        self.fetch_timeout_s = fetch_timeout_s
        self.agent = agent
        self._settle = Settler(bus, spec)
        self._controls = JobControls(bus)
        self.stats = self._settle.stats
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: dict[int, tuple[Msg, float]] = {}
        """Messages being handled, by ``id(msg)``, with their start time."""
        self._held: dict[int, Msg] = {}
        """Children of paused batches, waiting (see ``_hold``)."""
        self._late: deque[Msg] = deque()
        """Messages that reached the subscription after their fetch returned, waiting for a
        free slot (see ``_adopt_late_deliveries``)."""
        self._sub: Any = None
        self._fetching = False
        self._slot_freed = asyncio.Event()
        self._heartbeats = Heartbeats(
            bus.servers,
            name=f"{bus.name}-{spec.durable}-heartbeats",
            interval_s=max(spec.ack_wait_s / HEARTBEATS_PER_ACK_WAIT, 0.05),
        )
        self._stopped: asyncio.Future[None] | None = None
        """Resolved by ``stop()``; awaited next to every fetch so a stop interrupts it."""

    def stop(self) -> None:
        """Stop fetching; ``run`` returns once in-flight handlers have finished."""
        self._stopping.set()
        self._slot_freed.set()
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(None)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        js = self.bus.js
        await _retry_unavailable(lambda: ensure_consumer(js, self.bus.stream.name, self.spec))
        sub = await js.pull_subscribe_bind(durable=self.spec.durable, stream=self.bus.stream.name)
        self._sub = sub
        advisories = await self.bus.nc.subscribe(
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."
            f"{self.bus.stream.name}.{self.spec.durable}",
            queue=self.spec.durable,
            cb=self._settle.max_deliveries,
        )
        self._heartbeats.start()
        ticker = asyncio.create_task(self._pulse())
        loop = asyncio.get_running_loop()
        self._stopped = loop.create_future()
        if self._stopping.is_set():
            self._stopped.set_result(None)
        refill_at = max(1, min(self.fetch_batch, self.concurrency) // 2)
        refilling = False
        try:
            while not self._stopping.is_set():
                free = self.concurrency - len(self._in_flight)
                if free < refill_at and not refilling:
                    if free < 1:
                        await self._slot_freed.wait()
                        self._slot_freed.clear()
                        continue
                    # Wait a moment for a worthwhile batch rather than fetching one message
                    # at a time, but no longer: with long handlers (a solve waiting on a
                    # model) the free slots would idle while messages wait in the stream.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._slot_freed.wait(), REFILL_WAIT_S)
                    self._slot_freed.clear()
                    refilling = True
                    continue
                refilling = False
                if free < 1:
                    continue
                try:
                    if self._late:
                        msgs = [self._late.popleft() for _ in range(min(free, len(self._late)))]
                    else:
                        msgs = await self._fetch_unless_stopped(sub, min(free, self.fetch_batch))
                except (nats.errors.TimeoutError, TimeoutError):
                    msgs = []  # an empty fetch is normal: nothing to do yet
                except nats.errors.ConnectionClosedError:
                    break
                except (ServiceUnavailableError, nats.errors.NoRespondersError) as exc:
                    # A cluster is electing the consumer's leader (a node restarted): wait.
                    log.info("consumer %s unavailable (%r); retrying", self.spec.durable, exc)
                    await asyncio.sleep(0.5)
                    continue
                now = loop.time()
                self.stats.last_fetch_at = now
                for msg in msgs:
                    self._in_flight[id(msg)] = (msg, now)
                    self._tasks.add(loop.create_task(self._handle(msg)))
                self._holding_changed()
            while self._late:  # stopping: another process takes them at once
                with contextlib.suppress(Exception):
                    await self._late.popleft().nak()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await asyncio.to_thread(self._heartbeats.stop)
            with contextlib.suppress(Exception):
                await advisories.unsubscribe()
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _fetch_unless_stopped(self, sub: Any, batch: int) -> list[Msg]:
        """Fetch, but give up the pull request as soon as ``stop()`` is called.

        Messages the server still delivers to the abandoned request are returned with
        an immediate ``nak``, so a draining process takes no new work and another
        process gets it without waiting for ``ack_wait``.
        """
        fetch = asyncio.create_task(sub.fetch(batch=batch, timeout=self.fetch_timeout_s))
        assert self._stopped is not None, "run() creates it before fetching"
        self._fetching = True
        try:
            await asyncio.wait({fetch, self._stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._fetching = False
        if fetch.done():
            return list(fetch.result())
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await fetch
        await self._return_late_deliveries(sub)
        return []

    async def _return_late_deliveries(self, sub: Any) -> None:
        queue: asyncio.Queue[Msg] | None = getattr(
            getattr(sub, "_sub", None), "_pending_queue", None
        )
        if queue is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + self.fetch_timeout_s + 0.1
        while (left := end - loop.time()) > 0:
            try:
                msg = await asyncio.wait_for(queue.get(), left)
            except TimeoutError:
                return
            status = JetStreamContext.is_status_msg(msg)
            if status == "408":
                return  # the abandoned pull request expired: nothing more will come
            if status is None:
                with contextlib.suppress(Exception):
                    await msg.nak()

    async def _handle(self, msg: Msg) -> None:
        try:
            await self._dispatch(msg)
        except Exception:  # never let one message kill the worker
            log.exception("unexpected failure while settling a message on %s", msg.subject)
        finally:
            self._in_flight.pop(id(msg), None)
            self._holding_changed()
            self._tasks.discard(asyncio.current_task())
            self._slot_freed.set()

    async def _dispatch(self, msg: Msg) -> None:
        try:
            envelope = decode(msg.subject, msg.data, msg.headers, events=self.bus.events)
        except DecodeError as exc:
            await self._settle.reject(msg, str(exc.reason), exc.detail, exc.event_type)
            return
        handler = self.handlers.get(envelope.type)
        if handler is None:
            await self._settle.reject(
                msg,
                "no_handler",
                f"{self.spec.durable} has no handler for {envelope.type}",
                envelope.type,
            )
            return
        parent = getattr(envelope.payload, "parent_job_id", None)
        if isinstance(parent, str) and parent:
            control = await self._controls.state(parent)
            if control == PAUSED:
                control = await self._hold(msg, parent)
            if control == CANCELLED:
                detail = f"its batch {parent} was cancelled"
                await self._settle.reject(msg, "cancelled", detail, envelope.type, envelope)
                return
            if self._stopping.is_set() and id(msg) not in self._in_flight:
                await msg.nak()  # stopped while held: another process takes it
                return
        delivery: Delivery[Any] = Delivery(
            envelope=envelope, msg=msg, bus=self.bus, agent=self.agent
        )
        bind_event(envelope)  # each handler runs in its own task, so its own log context
        try:
            await handler(delivery)
        except HandlerRejected as exc:
            await self._settle.reject(msg, exc.reason, exc.detail, envelope.type, envelope)
            return
        except Exception as exc:
            await self._settle.failed(delivery, exc)
            return
        await msg.ack()
        self.stats.handled += 1

    async def _hold(self, msg: Msg, batch: str) -> bytes | None:
        """Keep a paused batch's child (heartbeated, out of the concurrency count) until the
        batch is resumed or cancelled, then wait for a free slot; the batch's new state.

        Holding, not ``nak``: every redelivery counts towards ``max_deliver``, so a pause
        longer than the backoff would dead-letter the children.
        """
        started = self._in_flight.pop(id(msg))[1]
        self._held[id(msg)] = msg
        self._holding_changed()
        self._slot_freed.set()
        state: bytes | None = PAUSED
        try:
            while not self._stopping.is_set():
                await asyncio.sleep(HOLD_POLL_S)
                if state == PAUSED:
                    state = await self._controls.state(batch)
                if state != PAUSED and len(self._in_flight) < self.concurrency:
                    self._in_flight[id(msg)] = (msg, started)
                    return state
            return None
        finally:
            self._held.pop(id(msg), None)
            self._holding_changed()

    def _holding_changed(self) -> None:
        """Tell the heartbeat thread which messages this worker holds now."""
        held = [m for m, _ in self._in_flight.values()] + [*self._held.values(), *self._late]
        self._heartbeats.hold(frozenset(m.reply for m in held if m.reply))

    async def _pulse(self) -> None:
        """Show the heartbeat thread that this loop still turns (see ``Heartbeats``)."""
        while True:
            self._heartbeats.pulse()
            self._adopt_late_deliveries()
            await asyncio.sleep(self._heartbeats.interval_s)

    def _adopt_late_deliveries(self) -> None:
        """Hold, heartbeated, the messages that reached the subscription after their fetch
        returned (a pull request outlives its fetch by a moment).

        They would wait in the subscription's queue for the next fetch, which a worker with
        no free slot does not make; unacked there, they were delivered again after
        ``ack_wait`` and both copies ran side by side once a slot freed.
        """
        inner: Any = getattr(self._sub, "_sub", None)
        queue: asyncio.Queue[Msg] | None = getattr(inner, "_pending_queue", None)
        if queue is None or self._fetching:
            return  # a fetch in progress takes them itself
        adopted = False
        while not queue.empty():
            msg = queue.get_nowait()
            if hasattr(inner, "_pending_size"):
                inner._pending_size -= len(msg.data)  # the queue's byte count, as fetch keeps it
            if JetStreamContext.is_status_msg(msg) is None:
                self._late.append(msg)
                adopted = True
        if adopted:
            self._holding_changed()
