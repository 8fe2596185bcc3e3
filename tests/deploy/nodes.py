"""Run nats-server from the files in deploy/, moved to free loopback ports and temp stores."""

from __future__ import annotations

import re
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from arena_core.bus.embedded import nats_server_binary
from arena_core.processes import free_port, spawn, terminate

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ADDRESS = re.compile(r"(?P<host>127\.0\.0\.1|0\.0\.0\.0):(?P<port>\d+)")
STORE_DIR = re.compile(r'store_dir:\s*"[^"]*"')


def service_users() -> list[str]:
    """Every user of deploy/permissions/services.toml."""
    data = tomllib.loads((DEPLOY / "permissions" / "services.toml").read_text())
    return list(data["users"])


def password(user: str) -> str:
    return f"{user}-test-secret"


def password_env() -> dict[str, str]:
    """The server environment that users.conf reads its passwords from."""
    return {f"ARENA_NATS_PASSWORD_{u.upper()}": password(u) for u in service_users()}


def check_config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``nats-server -t -c path``: parse and validate the configuration, start nothing."""
    return subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def localize(text: str, ports: dict[int, int], store: Path) -> str:
    """A config with every listen port mapped through ``ports`` and the store moved."""

    def port(match: re.Match[str]) -> str:
        return f"127.0.0.1:{ports[int(match['port'])]}"

    text = ADDRESS.sub(port, text)
    return STORE_DIR.sub(f'store_dir: "{store}"', text)


def free_ports_for(texts: list[str]) -> dict[int, int]:
    """A free loopback port for every port the configs mention."""
    found = sorted({int(m["port"]) for t in texts for m in ADDRESS.finditer(t)})
    return {p: free_port("127.0.0.1") for p in found}


@dataclass
class NatsNode:
    """One nats-server running a config file."""

    name: str
    config: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    def _port(self, key: str) -> int:
        match = re.search(rf"^{key}:\s*[\d.]+:(\d+)", self.config.read_text(), re.MULTILINE)
        assert match, f"{self.config} has no {key}"
        return int(match[1])

    @property
    def client_port(self) -> int:
        return self._port("listen")

    @property
    def monitor_port(self) -> int:
        return self._port("http")

    def url(self, user: str | None = None) -> str:
        auth = f"{user}:{password(user)}@" if user else ""
        return f"nats://{auth}127.0.0.1:{self.client_port}"

    def start(self) -> NatsNode:
        with open(self.log, "ab") as log:
            self.proc = spawn(
                [nats_server_binary(), "-c", self.config],
                env=self.env or None,
                cwd=self.config.parent,
                stdout=log,
                stderr=log,
            )
        return self

    def monitor(self, path: str) -> dict[str, object]:
        url = f"http://127.0.0.1:{self.monitor_port}{path}"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return orjson.loads(resp.read())  # type: ignore[no-any-return]

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                self.monitor("/healthz")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise TimeoutError(f"{self.name} not healthy after {timeout}s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: the node vanishes without a goodbye."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc, 10)
            self.proc = None


def localized_copy(files: list[Path], dest: Path) -> list[Path]:
    """Copy configs into ``dest`` on free ports with stores under ``dest``, same names."""
    dest.mkdir(parents=True, exist_ok=True)
    texts = [f.read_text() for f in files]
    ports = free_ports_for(texts)
    out = []
    for source, text in zip(files, texts, strict=True):
        target = dest / source.name
        target.write_text(localize(text, ports, dest / "store" / source.stem))
        out.append(target)
    return out
