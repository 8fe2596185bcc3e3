"""The embedded nats-server: started on demand, never orphaned, skipped with a URL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arena_core.bus import EmbeddedNats, NatsServerError

REPO = Path(__file__).resolve().parents[2]

PARENT = """
import sys, time
from arena_core.bus import EmbeddedNats
server = EmbeddedNats(sys.argv[1]).start()
print(server.pid, server.url, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_the_server_dies_with_a_sigkilled_parent(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "store")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert parent.stdout is not None
    server_pid = int(parent.stdout.readline().split()[0])
    assert alive(server_pid)

    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(server_pid), "nats-server outlived its parent"


def test_stop_ends_the_server_and_keeps_the_store(tmp_path: Path) -> None:
    with EmbeddedNats(tmp_path / "store") as server:
        pid = server.pid
        assert pid is not None and alive(pid)
    assert not alive(pid)
    assert (tmp_path / "store" / "jetstream").is_dir()


def test_arena_nats_prints_the_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "ARENA_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "arena_core.cli", "nats"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("nats://127.0.0.1:")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert (tmp_path / "home" / "nats" / "jetstream").is_dir()


def test_with_a_nats_url_nothing_is_started(tmp_path: Path, nats_url: str) -> None:
    from arena_core.settings import Settings
    from arena_core.stack import nats_for

    before = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
    with nats_for(Settings(nats_url=nats_url, home=tmp_path / "home")) as settings:
        assert settings.nats_url == nats_url
        after = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
        started = [
            pid
            for pid in after - before
            if "nats-server" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
        ]
        assert started == []
    assert not (tmp_path / "home" / "nats").exists()


def _listening(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_a_port_taken_before_the_server_binds_it_is_replaced_by_a_free_one(
    tmp_path: Path,
) -> None:
    server = EmbeddedNats(tmp_path / "store", log_file=tmp_path / "nats.log")
    taken = server.port
    with _listening(taken), server:
        assert server.port != taken
        assert "address already in use" in (tmp_path / "nats.log").read_text()
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            assert conn.recv(4).startswith(b"INFO")


def test_a_port_the_caller_chose_is_never_replaced(tmp_path: Path) -> None:
    with _listening(0) as sock:
        taken = sock.getsockname()[1]
        server = EmbeddedNats(tmp_path / "store", port=taken)
        with pytest.raises(NatsServerError, match="exited with code"):
            server.start()
        assert server.port == taken
