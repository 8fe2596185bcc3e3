"""The one way to run untrusted Python: ``await Sandbox(...).run(SandboxJob(code=...))``.

Modes (``ARENA_SANDBOX``):

* ``isolated``: a pool of warm fork servers on this machine, one isolated child per
  job (namespaces, read-only filesystem, rlimits; see ``runtime.py``). If namespaces
  cannot be created the first job raises ``SandboxUnavailable(isolation_unavailable)``.
* ``unsafe-local``: the same pool and limits without namespaces. Development only:
  the code can read your files and reach the network.
* ``podman``: one ``podman run`` of the image built from ``deploy/Containerfile.sandbox``
  per job (no warm pool; the container is the isolation).

Servers start lazily: building a ``Sandbox`` costs nothing, ``start`` (or the first job)
starts one server, and the pool grows towards ``pool_size`` only when a job finds every
server busy. A process that runs one job at a time imports the preloaded modules once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arena_core.ids import new_id
from arena_core.sandbox.errors import SandboxUnavailable, UnavailableReason
from arena_core.sandbox.models import LimitsBackend, SandboxJob, SandboxResult
from arena_core.sandbox.outcome import classify, died_result, workspace_files
from arena_core.sandbox.podman import podman_argv
from arena_core.sandbox.server import ForkServer, ServerDied, local_argv
from arena_core.settings import SandboxMode, Settings

log = logging.getLogger("arena.sandbox")

DEFAULT_PRELOAD = ("build123d",)
"""Modules every warm server imports once, so jobs do not pay for them."""

_BACKSTOP_GRACE_S = 30.0


class Sandbox:
    """Runs ``SandboxJob``s; safe to call ``run`` concurrently (up to ``pool_size`` at once)."""

    def __init__(
        self,
        *,
        root: Path,
        mode: SandboxMode = "isolated",
        pool_size: int = 2,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        warm: bool = True,
        sandbox_uid: int = 65534,
        podman_image: str = "arena-sandbox:latest",
        podman_binary: str = "podman",
        cgroup: Path | None = None,
    ) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.root = root.resolve()
        self.mode = mode
        self.pool_size = pool_size
        self.preload = tuple(preload)
        self.warm = warm and mode != "podman"
        self.sandbox_uid = sandbox_uid
        self.podman_image = podman_image
        self.podman_binary = podman_binary
        self.cgroup = cgroup
        self._servers: list[ForkServer] = []
        self._idle: asyncio.Queue[ForkServer] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._start_lock: asyncio.Lock | None = None
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Sandbox:
        return cls(
            root=settings.sandbox_root or settings.workspace / "sandbox",
            mode=settings.sandbox,
            pool_size=settings.sandbox_pool_size,
            preload=settings.sandbox_preload,
            sandbox_uid=settings.sandbox_uid,
            podman_image=settings.sandbox_podman_image,
            cgroup=settings.sandbox_cgroup,
        )

    @property
    def isolate(self) -> bool:
        return self.mode == "isolated"

    @property
    def limits_backend(self) -> LimitsBackend | None:
        """``cgroup`` or ``rlimit`` once the pool has started (None before, or for podman)."""
        backends = {s.limits_backend for s in self._servers}
        if backends == {"cgroup"}:
            return "cgroup"
        return "rlimit" if backends else None

    @property
    def server_pids(self) -> list[int]:
        """Process ids of the running warm servers (for health checks)."""
        return [pid for s in self._servers if s.alive and (pid := s.pid) is not None]

    async def start(self) -> None:
        """Start the pool's first warm server now instead of on the first job."""
        if self._closed:
            raise SandboxUnavailable(UnavailableReason.closed, "this sandbox was closed")
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._idle is not None:
                return
            await asyncio.to_thread(self._remove_orphaned_workspaces)
            if self.mode == "podman":
                self._check_podman()
            if not self.warm:
                self._slots = asyncio.Semaphore(self.pool_size)
                self._idle = asyncio.Queue()
                return
            first = self._new_server("server-0", once=False)
            try:
                await first.start()  # isolation problems surface here, before any job
            except BaseException:
                await first.stop()
                raise
            self._servers = [first]
            self._idle = asyncio.Queue()
            self._idle.put_nowait(first)
            log.info(
                "sandbox pool ready: 1 of %d %s servers, preloaded %s in %.1fs",
                self.pool_size,
                self.mode,
                ",".join(self.preload) or "nothing",
                first.preload_s or 0.0,
            )

    async def run(self, job: SandboxJob) -> SandboxResult:
        """Run one job in a fresh isolated child and collect its result."""
        await self.start()
        workspace = self._prepare_workspace(job)
        frame = self._frame(job, workspace)
        backstop = job.limits.timeout_s + _BACKSTOP_GRACE_S
        try:
            raw = await (self._run_warm if self.warm else self._run_cold)(job, frame, backstop)
        except ServerDied as died:
            log.warning("sandbox server died during a job: %s", died)
            return died_result(str(died), workspace, workspace_files(workspace))
        if raw.get("setup_failed"):
            raise SandboxUnavailable(
                UnavailableReason.isolation_unavailable, str(raw["setup_failed"])
            )
        return classify(raw, job.limits, workspace, workspace_files(workspace))

    async def close(self) -> None:
        """Stop every server (running jobs are killed)."""
        self._closed = True
        servers, self._servers = self._servers, []
        await asyncio.gather(*(s.stop() for s in servers))

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- internals --------------------------------------------------------------------

    async def _run_warm(
        self, job: SandboxJob, frame: dict[str, Any], backstop: float
    ) -> dict[str, Any]:
        assert self._idle is not None
        server = await self._take()
        try:
            if not server.alive:
                log.warning("sandbox server %s is gone; starting a new one", server.home.name)
                await server.start()
            return await server.execute(frame, backstop_s=backstop)
        finally:
            self._idle.put_nowait(server)

    async def _take(self) -> ForkServer:
        """An idle server; a new one when every server is busy and the pool is not full."""
        assert self._idle is not None
        if not self._idle.empty() or len(self._servers) >= self.pool_size:
            return await self._idle.get()
        server = self._new_server(f"server-{len(self._servers)}", once=False)
        self._servers.append(server)  # before awaiting, so concurrent jobs count it
        try:
            await server.start()
        except BaseException as error:
            with contextlib.suppress(ValueError):  # close() may have emptied the list
                self._servers.remove(server)
            await server.stop()
            if not isinstance(error, SandboxUnavailable) or self._closed:
                raise
            log.warning("sandbox pool stays at %d servers: %s", len(self._servers), error)
            return await self._idle.get()
        return server

    async def _run_cold(
        self, job: SandboxJob, frame: dict[str, Any], backstop: float
    ) -> dict[str, Any]:
        assert self._slots is not None
        async with self._slots:
            server = self._new_server(f"cold-{new_id()}", once=True, job=job, frame=frame)
            try:
                await server.start()
                return await server.execute(frame, backstop_s=backstop)
            finally:
                await server.stop()
                shutil.rmtree(server.home, ignore_errors=True)

    def _new_server(
        self,
        name: str,
        *,
        once: bool,
        job: SandboxJob | None = None,
        frame: dict[str, Any] | None = None,
    ) -> ForkServer:
        home = self.root / "servers" / name
        if self.mode == "podman":
            assert job is not None and frame is not None
            argv = podman_argv(
                binary=self.podman_binary,
                image=self.podman_image,
                workspace=Path(frame["workspace"]),
                limits=job.limits,
            )
        else:
            argv = local_argv(preload=self.preload if self.warm else (), once=once)
        return ForkServer(
            argv,
            home=home,
            isolate=self.isolate,
            sandbox_uid=self.sandbox_uid,
            probe=self.mode != "podman",
            cgroup=self.cgroup,
        )

    def _check_podman(self) -> None:
        if shutil.which(self.podman_binary) is None:
            raise SandboxUnavailable(
                UnavailableReason.podman_not_found,
                f"ARENA_SANDBOX=podman but {self.podman_binary!r} is not on PATH; install "
                "podman and build deploy/Containerfile.sandbox, or use ARENA_SANDBOX=isolated",
            )

    def _prepare_workspace(self, job: SandboxJob) -> Path:
        jobs = self.root / "jobs"
        jobs.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.chmod(0o700)
        workspace = (job.workspace or jobs / f"{_owner()}@{new_id()}").resolve()
        workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
        for relative, content in job.inputs.items():
            target = workspace / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return workspace

    def _remove_orphaned_workspaces(self) -> None:
        """Delete the job workspaces of this machine's processes that died (SIGKILL, OOM)
        before they could remove them; other machines' and live processes' stay."""
        jobs = self.root / "jobs"
        if not jobs.is_dir():
            return
        removed = 0
        for entry in jobs.iterdir():
            pid, _, rest = entry.name.partition("@")
            host, _, _ = rest.rpartition("@")
            if pid.isdigit() and host == socket.gethostname() and not _alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        if removed:
            log.info("removed %d sandbox workspaces left by processes that died", removed)

    def _frame(self, job: SandboxJob, workspace: Path) -> dict[str, Any]:
        return {
            "code": job.code,
            "workspace": str(workspace),
            "isolate": self.isolate,
            "sandbox_uid": self.sandbox_uid,
            "limits": job.limits.model_dump(),
        }


def _owner() -> str:
    """``pid@host`` of this process: a workspace named after it can be swept once it died."""
    return f"{os.getpid()}@{socket.gethostname()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_workspace(result: SandboxResult) -> None:
    """Delete a job's workspace (files owned by the sandbox uid included)."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(result.workspace)
    if os.path.exists(result.workspace):  # pragma: no cover - permissions on a foreign fs
        raise OSError(f"could not remove {result.workspace}")
