"""Service base: lifecycle (start, drain, stop), typed handlers, health."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from pydantic import BaseModel

from arena_core import __version__
from arena_core.bus import Bus, ConsumerSpec, Delivery, Handler, PullWorker
from arena_core.events import AgentRef, Envelope, Payload, subject_for
from arena_core.events.system import ServiceStarted, ServiceStopped
from arena_core.ids import new_id
from arena_core.logging import bind_service
from arena_core.settings import Settings

if TYPE_CHECKING:
    from arena_core.container import Container

log = logging.getLogger("arena.service")

F = TypeVar("F", bound=Callable[..., Any])

SYSTEM_RUN_ID = "system"
"""Run id of service lifecycle events, so they gather in one run instead of one per process."""

HEALTH_SUBJECT = "_ARENA.health"
"""Core-NATS subject every running service answers with its health (not recorded)."""


def handles(*models: type[Payload]) -> Callable[[F], F]:
    """Mark a service method as the handler of one or more event types."""

    def mark(fn: F) -> F:
        fn.__arena_handles__ = tuple(m.EVENT_TYPE for m in models)  # type: ignore[attr-defined]
        return fn

    return mark


class ServiceHealth(BaseModel):
    """What ``arena health`` shows for one process."""

    service: str
    instance: str
    status: str
    """``starting``, ``running``, ``draining`` or ``stopped``."""
    connected: bool
    in_flight: int
    handled: int
    failed: int
    rejected: int
    dead_lettered: int
    seconds_since_fetch: float | None


class Service:
    """A bus service: one durable consumer shared by all of its processes.

    Subclasses set ``name`` and decorate handler methods with ``@handles(Model)``.
    """

    name: ClassVar[str] = ""
    default_concurrency: ClassVar[int] = 4

    def __init__(
        self,
        bus: Bus,
        settings: Settings,
        *,
        concurrency: int | None = None,
    ) -> None:
        if not self.name:
            raise TypeError(f"{type(self).__name__} must set a service name")
        self.bus = bus
        self.settings = settings
        self.concurrency = concurrency or self.default_concurrency
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"
        self.agent = AgentRef(role=self.name, id=self.instance)
        self.status = "stopped"
        self._worker: PullWorker | None = None
        self._task: asyncio.Task[None] | None = None
        self._owns_connection = True

    @classmethod
    def from_container(cls, container: Container, *, concurrency: int | None = None) -> Self:
        """Build the service from the DI container; override to take more providers."""
        return cls(container.bus(), container.settings(), concurrency=concurrency)

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {}
        for attr in dir(type(self)):
            fn = getattr(type(self), attr, None)
            for event_type in getattr(fn, "__arena_handles__", ()):
                if event_type in found:
                    raise TypeError(f"{self.name}: two handlers for {event_type}")
                found[event_type] = getattr(self, attr)
        return found

    def consumer_spec(self) -> ConsumerSpec:
        s = self.settings
        return ConsumerSpec(
            durable=self.name,
            subjects=tuple(subject_for(t) for t in sorted(self.handlers())),
            ack_wait_s=s.ack_wait_s,
            max_deliver=s.max_deliver,
            max_ack_pending=s.max_ack_pending,
            backoff_s=s.nak_backoff_s,
        )

    # -- hooks ------------------------------------------------------------------------

    async def setup(self) -> None:
        """Acquire resources before consuming (database, sandbox pool, ...)."""

    async def teardown(self) -> None:
        """Release resources after draining."""

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        bind_service(self.name)
        self.status = "starting"
        self._owns_connection = not self.bus.connected
        await self.bus.connect()
        await self.setup()
        # What is loaded by now lives as long as the process: keep it out of every
        # future garbage collection instead of rescanning it.
        gc.collect()
        gc.freeze()
        self._health_sub = await self.bus.nc.subscribe(HEALTH_SUBJECT, cb=self._answer_health)
        self._worker = PullWorker(
            self.bus,
            self.consumer_spec(),
            self.handlers(),
            concurrency=self.concurrency,
            fetch_batch=min(self.settings.fetch_batch, self.concurrency),
            agent=self.agent,
        )
        await self._publish_lifecycle(
            ServiceStarted(
                service=self.name,
                instance=self.instance,
                host=socket.gethostname(),
                pid=os.getpid(),
                version=__version__,
                concurrency=self.concurrency,
            )
        )
        self._task = asyncio.create_task(self._worker.run(), name=f"{self.name}-worker")
        self.status = "running"
        log.info("%s consuming %s", self.name, ", ".join(self.consumer_spec().subjects))

    async def drain(self) -> None:
        """Stop fetching and wait for in-flight handlers to finish and be acked."""
        if self._worker is None or self._task is None or self._task.done():
            return
        self.status = "draining"
        self._worker.stop()
        await self._task

    async def stop(self, reason: str = "requested") -> None:
        await self.drain()
        if self._worker is not None and self.bus.connected:
            stats = self._worker.stats
            with contextlib.suppress(Exception):
                await self._publish_lifecycle(
                    ServiceStopped(
                        service=self.name,
                        instance=self.instance,
                        handled=stats.handled,
                        failed=stats.failed,
                        reason=reason,
                    )
                )
        await self.teardown()
        with contextlib.suppress(Exception):
            await self._health_sub.unsubscribe()
        if self._owns_connection:
            await self.bus.close()
        self.status = "stopped"
        self._task = None

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (drain, then stop) or until the worker ends."""
        await self.start()
        loop = asyncio.get_running_loop()
        stop_requested = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop_requested.set)
        assert self._task is not None
        waiter = asyncio.create_task(stop_requested.wait())
        done, _ = await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        reason = "signal" if stop_requested.is_set() else "error"
        if self._task in done and self._task.exception() is not None:
            log.error("%s worker crashed", self.name, exc_info=self._task.exception())
            await self.bus.close()
            raise self._task.exception()  # type: ignore[misc]
        await self.stop(reason)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Self]:
        """Run the service inside a block (for tests and in-process stacks)."""
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    # -- health ---------------------------------------------------------------------

    def health(self) -> ServiceHealth:
        stats = self._worker.stats if self._worker else None
        since = None
        if stats and stats.last_fetch_at:
            since = round(asyncio.get_running_loop().time() - stats.last_fetch_at, 3)
        return ServiceHealth(
            service=self.name,
            instance=self.instance,
            status=self.status,
            connected=self.bus.connected,
            in_flight=self._worker.in_flight if self._worker else 0,
            handled=stats.handled if stats else 0,
            failed=stats.failed if stats else 0,
            rejected=stats.rejected if stats else 0,
            dead_lettered=stats.dead_lettered if stats else 0,
            seconds_since_fetch=since,
        )

    async def _answer_health(self, msg: Any) -> None:
        if msg.reply:
            await msg.respond(self.health().model_dump_json().encode())

    async def _publish_lifecycle(self, payload: Payload) -> None:
        await self.bus.publish(Envelope.new(payload, run_id=SYSTEM_RUN_ID, agent=self.agent))

    def delivery_agent(self, delivery: Delivery[Any]) -> AgentRef:
        return delivery.agent or self.agent
