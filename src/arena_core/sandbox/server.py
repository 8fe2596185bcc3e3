"""The parent's handle on one fork server process (see ``runtime.py`` for the other end)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from arena_core.errors import ArenaError
from arena_core.sandbox.errors import SandboxUnavailable, UnavailableReason

RUNTIME_PATH = Path(__file__).with_name("runtime.py")
"""The runtime file, started by path so the server imports only the standard library."""

MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin"


class ServerDied(ArenaError, RuntimeError):
    """The fork server exited (or stopped answering) while running a job."""


def server_env(home: Path) -> dict[str, str]:
    """The whole environment of a fork server: nothing inherited, so no secrets."""
    return {
        "PATH": MINIMAL_PATH,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def local_argv(*, preload: Sequence[str], once: bool) -> list[str]:
    """Command line of a fork server on this machine."""
    argv = [sys.executable, "-I", str(RUNTIME_PATH)]
    argv += [f"--preload={module}" for module in preload]
    if once:
        argv.append("--once")
    return argv


class ForkServer:
    """A long-lived runtime process; ``execute`` sends it one job frame at a time."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        home: Path,
        isolate: bool,
        sandbox_uid: int,
        probe: bool = True,
        cgroup: Path | None = None,
        start_timeout_s: float = 180.0,
    ) -> None:
        self.argv = list(argv)
        self.home = home
        self.isolate = isolate
        self.sandbox_uid = sandbox_uid
        self.probe = probe
        self.cgroup = cgroup
        self.limits_backend: str | None = None
        self.start_timeout_s = start_timeout_s
        self.preload_s: float | None = None
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        if self._proc is None or self._proc.returncode is not None:
            return False
        # asyncio learns of a child's death only when it reaps it, which lags under load;
        # a killed server is a zombie until then.
        try:
            state = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        return state not in ("Z", "X")

    async def start(self) -> None:
        """Start the process, wait until it has preloaded and probed isolation."""
        await self.stop()
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=server_env(self.home),
                cwd=self.home,
                start_new_session=True,
            )
        except OSError as error:
            raise SandboxUnavailable(UnavailableReason.server_failed, str(error)) from error
        hello = {
            "probe": str(self.home / "probe") if self.probe else None,
            "isolate": self.isolate,
            "sandbox_uid": self.sandbox_uid,
            "cgroup": str(self.cgroup) if self.cgroup else None,
        }
        try:
            await self._send(hello)
            answer = await asyncio.wait_for(self._receive(), self.start_timeout_s)
        except (ServerDied, TimeoutError) as error:
            await self.stop()
            raise SandboxUnavailable(
                UnavailableReason.server_failed,
                f"fork server did not start ({' '.join(self.argv[:3])} ...): {error}",
            ) from error
        problem = answer.get("isolation_problem")
        if problem:
            await self.stop()
            raise SandboxUnavailable(
                UnavailableReason.isolation_unavailable,
                f"{problem}. Untrusted code needs user namespaces "
                "(kernel.unprivileged_userns_clone, user.max_user_namespaces); "
                "use ARENA_SANDBOX=podman, or ARENA_SANDBOX=unsafe-local for development only",
            )
        self.preload_s = float(answer.get("preload_s", 0.0))
        self.limits_backend = str(answer.get("limits_backend", "rlimit"))

    async def execute(self, frame: dict[str, Any], *, backstop_s: float) -> dict[str, Any]:
        """Run one job; the server enforces the job's timeout, ``backstop_s`` guards the server."""
        try:
            await self._send(frame)
            return await asyncio.wait_for(self._receive(), backstop_s)
        except TimeoutError as error:
            await self.stop()
            raise ServerDied(f"fork server gave no answer within {backstop_s:.0f}s") from error
        except BaseException:
            # Cancelled mid-job: killing the server kills the job (parent-death signals).
            await self.stop()
            raise

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
        with contextlib.suppress(ProcessLookupError):
            await proc.wait()

    async def _send(self, frame: dict[str, Any]) -> None:
        if self._proc is None or self._proc.stdin is None:
            raise ServerDied("fork server is not running")
        body = orjson.dumps(frame)
        try:
            self._proc.stdin.write(struct.pack(">I", len(body)) + body)
            await self._proc.stdin.drain()
        except (ConnectionError, RuntimeError) as error:
            raise ServerDied(f"fork server closed its input: {error}") from error

    async def _receive(self) -> dict[str, Any]:
        if self._proc is None or self._proc.stdout is None:
            raise ServerDied("fork server is not running")
        try:
            header = await self._proc.stdout.readexactly(4)
            (size,) = struct.unpack(">I", header)
            body = await self._proc.stdout.readexactly(size)
        except asyncio.IncompleteReadError as error:
            code = await self._proc.wait()
            raise ServerDied(f"fork server exited with status {code}") from error
        frame = orjson.loads(body)
        if not isinstance(frame, dict):
            raise ServerDied("fork server sent a frame that is not an object")
        return frame
