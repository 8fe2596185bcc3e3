"""Running the stack: NATS (embedded or joined), services in this process or as processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import orjson
from nats.aio.client import Client

from arena_core.bus import Bus, EmbeddedNats
from arena_core.bus.connection import INTERACTIVE_DEADLINE_S, connect
from arena_core.container import Container, close_resources, container_for
from arena_core.errors import ArenaError
from arena_core.processes import spawn, terminate
from arena_core.service import HEALTH_SUBJECT, Lifecycle, ServiceHealth
from arena_core.settings import Settings


class UnknownService(ArenaError, LookupError):
    """No service of that name is installed (entry-point group ``arena.services``)."""


def service_names() -> list[str]:
    return sorted(ep.name for ep in entry_points(group="arena.services"))


def load_service(name: str) -> type[Lifecycle]:
    for ep in entry_points(group="arena.services"):
        if ep.name == name:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Lifecycle)):
                raise TypeError(f"entry point {name} is not a Service subclass: {cls!r}")
            return cls
    raise UnknownService(f"no service {name!r}; installed: {', '.join(service_names()) or 'none'}")


@contextlib.contextmanager
def nats_for(settings: Settings) -> Iterator[Settings]:
    """Yield settings with a reachable ``nats_url``: the configured one, or an embedded server."""
    if settings.nats_url:
        yield settings
        return
    settings.home.mkdir(parents=True, exist_ok=True)
    with EmbeddedNats(settings.nats_store_dir, log_file=settings.home / "nats.log") as server:
        yield settings.model_copy(update={"nats_url": server.url})


RECORDER = "recorder"


@contextlib.asynccontextmanager
async def services_in_process(
    settings: Settings,
    services: Sequence[str],
    *,
    record: bool = True,
    container: Container | None = None,
) -> AsyncIterator[Bus]:
    """Run ``services`` inside this process on one connection; yield that bus.

    Every command that starts services in its own process starts them here. The
    recorder, when it runs, starts first and stops last. With ``record`` (and any other
    service to run) it is added, so what the command does is recorded like any run;
    pass ``record=False`` when a recorder already runs elsewhere (it still starts when
    ``services`` names it).
    """
    owned = container is None
    container = container or container_for(settings)
    bus = container.bus()
    await bus.connect()
    names = [n for n in dict.fromkeys(services) if n != RECORDER]
    if RECORDER in services or (record and names):
        names.insert(0, RECORDER)
    started: list[Lifecycle] = []
    try:
        for name in names:
            service = load_service(name).from_container(container)
            await service.start()
            started.append(service)
        yield bus
    finally:
        for service in reversed(started):
            await service.stop()
        if owned:
            await close_resources(container)
        await bus.close()


@contextlib.asynccontextmanager
async def recording(settings: Settings) -> AsyncIterator[Bus]:
    """A bus to ask the recording on (``arena_core.query.ask``): the configured NATS,
    whose recorder answers, or without one an embedded server with the recorder here."""
    with nats_for(settings) as live:
        local = [] if settings.nats_url else [RECORDER]
        async with services_in_process(live, local, record=False) as bus:
            yield bus


async def serve(cls: type[Lifecycle], container: Container, concurrency: int | None) -> None:
    """``arena worker``: run one service until a signal, then release its resources."""
    service = cls.from_container(container, concurrency=concurrency)
    try:
        await service.run()
    finally:
        await close_resources(container)


RESTART_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
"""Waits before restarting a crashed worker: the n-th restart in a row waits the n-th."""
STEADY_S = 60.0
"""A worker that ran this long before crashing starts its backoff over."""


@dataclass
class WorkerProcess:
    service: str
    index: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    argv: list[str] = field(default_factory=list)
    env: Mapping[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0
    """Restarts in a row (reset once the worker stays up ``STEADY_S``)."""
    restart_at: float | None = None
    """When a crashed worker is due to start again."""


@dataclass
class ServiceProcesses:
    """Service worker processes started from this process (each dies with it)."""

    settings: Settings
    log_dir: Path
    workers: list[WorkerProcess] = field(default_factory=list)
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def start(self, service: str, count: int = 1, concurrency: int | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.extra_env, "ARENA_NATS_URL": str(self.settings.nats_url)}
        for _ in range(count):
            index = sum(1 for w in self.workers if w.service == service)
            log_path = self.log_dir / f"{service}-{index}.log"
            argv = [sys.executable, "-m", "arena_core.cli", "--log-json", "worker", service]
            if concurrency:
                argv += ["--concurrency", str(concurrency)]
            with open(log_path, "ab") as log:
                proc = spawn(argv, env=env, stdout=log, stderr=log)
            self.workers.append(WorkerProcess(service, index, proc, log_path, argv, env))

    def crashed(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.proc.poll() not in (None, 0)]

    def restart_crashed(self, now: float | None = None) -> list[str]:
        """Restart crashed workers, each after its backoff; say what was done.

        A crash schedules a restart ``RESTART_BACKOFF_S[n]`` later (n: restarts in a
        row); a worker that had run ``STEADY_S`` starts over at the first wait.
        """
        now = time.monotonic() if now is None else now
        said = []
        for w in self.crashed():
            if w.restart_at is None:
                if now - w.started_at >= STEADY_S:
                    w.restarts = 0
                wait = RESTART_BACKOFF_S[min(w.restarts, len(RESTART_BACKOFF_S) - 1)]
                w.restart_at = now + wait
                said.append(
                    f"{w.service}-{w.index} exited with status {w.proc.returncode}; "
                    f"restarting in {wait:g} s (see {w.log_path})"
                )
            elif now >= w.restart_at:
                with open(w.log_path, "ab") as log:
                    w.proc = spawn(w.argv, env=dict(w.env), stdout=log, stderr=log)
                w.restarts += 1
                w.started_at, w.restart_at = now, None
                said.append(f"{w.service}-{w.index} restarted (restart {w.restarts} in a row)")
        return said

    def stop(self, timeout: float = 30.0, *, keep: frozenset[str] = frozenset()) -> None:
        """SIGTERM every worker not in ``keep`` (they drain in-flight work), wait for them."""
        chosen = [w for w in self.workers if w.service not in keep]
        for w in chosen:
            if w.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(w.proc.pid, 15)
        deadline = time.monotonic() + timeout
        for w in chosen:
            terminate(w.proc, max(deadline - time.monotonic(), 0.1))


async def probe_health(nats_url: str, wait_s: float = 1.0) -> list[ServiceHealth]:
    """Ask every running service process for its health (core NATS, not recorded)."""
    nc = await connect(nats_url, name="arena-health", deadline_s=INTERACTIVE_DEADLINE_S)
    try:
        return await ask_health(nc, wait_s)
    finally:
        await nc.close()


async def ask_health(nc: Client, wait_s: float) -> list[ServiceHealth]:
    """Every health answer that arrives on ``nc`` within ``wait_s``, by service and
    instance (what is not a health answer is ignored rather than failing the probe)."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    answers: list[ServiceHealth] = []
    try:
        await nc.publish(HEALTH_SUBJECT, b"", reply=inbox)
        loop = asyncio.get_running_loop()
        end = loop.time() + wait_s
        while (left := end - loop.time()) > 0:
            try:
                msg = await sub.next_msg(timeout=left)
            except (TimeoutError, Exception):  # timeout: the wait is over
                break
            if not msg.data:  # a "no responders" status: nobody is listening yet
                continue
            try:
                answers.append(ServiceHealth.model_validate(orjson.loads(msg.data)))
            except (orjson.JSONDecodeError, ValueError):
                continue
    finally:
        await sub.unsubscribe()
    return sorted(answers, key=lambda h: (h.service, h.instance))


async def wait_until_running(
    nats_url: str, expected: Mapping[str, int], timeout: float = 60.0
) -> list[ServiceHealth]:
    """Poll health until at least ``expected[service]`` processes of each are running."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        health = await probe_health(nats_url, wait_s=0.5)
        counts: dict[str, int] = {}
        for h in health:
            if h.status == "running":
                counts[h.service] = counts.get(h.service, 0) + 1
        if all(counts.get(s, 0) >= n for s, n in expected.items()):
            return health
        if loop.time() > end:
            missing = {s: n - counts.get(s, 0) for s, n in expected.items() if counts.get(s, 0) < n}
            raise TimeoutError(f"services not running after {timeout:g}s: {missing}")
