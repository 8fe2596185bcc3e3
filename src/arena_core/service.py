"""Service bases: the lifecycle (start, drain, stop, health) and typed bus handlers."""

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
from arena_core.bus import Bus, ConsumerSpec, Handler, Worker
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


class Lifecycle:
    """A process-long bus participant: start, drain, stop, run until a signal, health.

    Subclasses set ``name``, take their resources from ``self.container`` in ``setup``,
    and implement ``_consume`` (the task that runs until ``_stop_consuming``). Handler
    services derive from :class:`Service`; the recorder reads the raw stream itself.
    """

    name: ClassVar[str] = ""
    default_concurrency: ClassVar[int] = 4

    def __init__(
        self,
        bus: Bus,
        settings: Settings,
        *,
        concurrency: int | None = None,
        container: Container | None = None,
    ) -> None:
        if not self.name:
            raise TypeError(f"{type(self).__name__} must set a service name")
        from arena_core.container import container_for

        self.bus = bus
        self.settings = settings
        self.container = container or container_for(settings, bus=bus)
        """Where ``setup`` takes resources (sandbox, LLM, database); tests override providers."""
        self._owns_container = container is None
        self.concurrency = concurrency or self.default_concurrency
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"
        self.agent = AgentRef(role=self.name, id=self.instance)
        self.status = "stopped"
        self._task: asyncio.Task[None] | None = None
        self._health_sub: Any = None
        self._owns_connection = True

    @classmethod
    def from_container(cls, container: Container, *, concurrency: int | None = None) -> Self:
        """Build the service on the container's bus and settings."""
        return cls(
            container.bus(), container.settings(), concurrency=concurrency, container=container
        )

    # -- hooks ------------------------------------------------------------------------

    async def setup(self) -> None:
        """Acquire resources before consuming (from ``self.container``)."""

    async def teardown(self) -> None:
        """Release resources after draining."""

    async def _consume(self) -> None:
        """Consume until ``_stop_consuming`` is called and in-flight work is settled."""
        raise NotImplementedError

    def _stop_consuming(self) -> None:
        """Ask ``_consume`` to stop fetching and return once in-flight work is settled."""
        raise NotImplementedError

    def _counts(self) -> tuple[int, int]:
        """Messages handled and failed so far (for ``service.stopped``)."""
        return 0, 0

    async def _prepare(self) -> None:
        """Last step of ``start`` before consuming (bind consumers, read checkpoints)."""

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        bind_service(self.name)
        self.status = "starting"
        self._owns_connection = not self.bus.connected
        await self.bus.connect()
        try:
            await self.setup()
            # What is loaded by now lives as long as the process: keep it out of every
            # future garbage collection instead of rescanning it.
            gc.collect()
            gc.freeze()
            await self._prepare()
        except BaseException:
            if self._owns_connection:
                await self.bus.close()
            self.status = "stopped"
            raise
        self._health_sub = await self.bus.serve(HEALTH_SUBJECT, self._health_answer)
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
        self._task = asyncio.create_task(self._consume(), name=f"{self.name}-worker")
        self.status = "running"

    async def drain(self) -> None:
        """Stop fetching and wait for in-flight work to finish and be acked."""
        if self._task is None or self._task.done():
            return
        self.status = "draining"
        self._stop_consuming()
        await self._task

    async def stop(self, reason: str = "requested") -> None:
        from arena_core.container import close_resources

        started = self._task is not None
        await self.drain()
        if started and self.bus.connected:
            handled, failed = self._counts()
            with contextlib.suppress(Exception):
                await self._publish_lifecycle(
                    ServiceStopped(
                        service=self.name,
                        instance=self.instance,
                        handled=handled,
                        failed=failed,
                        reason=reason,
                    )
                )
        await self.teardown()
        if self._owns_container:
            await close_resources(self.container)
        if self._health_sub is not None:
            with contextlib.suppress(Exception):
                await self._health_sub.unsubscribe()
            self._health_sub = None
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
        handled, failed = self._counts()
        return ServiceHealth(
            service=self.name,
            instance=self.instance,
            status=self.status,
            connected=self.bus.connected,
            in_flight=0,
            handled=handled,
            failed=failed,
            rejected=0,
            dead_lettered=0,
            seconds_since_fetch=None,
        )

    def _health_answer(self) -> bytes:
        return self.health().model_dump_json().encode()

    async def _publish_lifecycle(self, payload: Payload) -> None:
        await self.bus.publish(Envelope.new(payload, run_id=SYSTEM_RUN_ID, agent=self.agent))


class Service(Lifecycle):
    """A bus service: typed handlers on one durable consumer shared by all its processes.

    Subclasses set ``name`` and decorate handler methods with ``@handles(Model)``.
    """

    _worker: Worker | None = None
    """The pull worker while the service runs."""

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

    async def _prepare(self) -> None:
        self._worker = self.bus.worker(
            self.consumer_spec(),
            self.handlers(),
            concurrency=self.concurrency,
            fetch_batch=min(self.settings.fetch_batch, self.concurrency),
            fetch_timeout_s=self.settings.fetch_wait_s,
            agent=self.agent,
        )
        log.info("%s consuming %s", self.name, ", ".join(self.consumer_spec().subjects))

    async def _consume(self) -> None:
        assert self._worker is not None
        await self._worker.run()

    def _stop_consuming(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def _counts(self) -> tuple[int, int]:
        stats = self._worker.stats if self._worker else None
        return (stats.handled, stats.failed) if stats else (0, 0)

    def health(self) -> ServiceHealth:
        """``Lifecycle.health`` with the worker's settling counters."""
        if self._worker is None:
            return super().health()
        stats = self._worker.stats
        since = None
        if stats.last_fetch_at:
            since = round(asyncio.get_running_loop().time() - stats.last_fetch_at, 3)
        return (
            super()
            .health()
            .model_copy(
                update={
                    "in_flight": self._worker.in_flight,
                    "rejected": stats.rejected,
                    "dead_lettered": stats.dead_lettered,
                    "seconds_since_fetch": since,
                }
            )
        )
