"""The sandbox contains what untrusted code tries: network, files, secrets, resources."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from arena_core.sandbox import ExitReason, Sandbox, SandboxJob, SandboxLimits

from .conftest import descendants

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPO = Path(__file__).resolve().parents[2]


async def test_code_runs_and_its_output_comes_back(sandbox: Sandbox) -> None:
    result = await sandbox.run(SandboxJob(code="print(6 * 7)"))

    assert result.reason is ExitReason.ok
    assert result.stdout == "42\n"


async def test_network_is_unreachable_even_to_a_loopback_server(sandbox: Sandbox) -> None:
    connections: list[str] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append("accepted")
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    code = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    print("connected")
except OSError as error:
    print("blocked", error.errno)
"""
    async with server:
        result = await sandbox.run(SandboxJob(code=code))

    assert result.stdout.startswith("blocked"), result.stdout + result.stderr
    assert connections == []


async def test_writes_outside_the_workspace_do_not_reach_the_host(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    targets = [tmp_path / "escaped.txt", REPO / "escaped-from-sandbox.txt"]
    code = f"""
for target in {[str(t) for t in targets]!r}:
    try:
        with open(target, "w") as f:
            f.write("escaped")
        print("wrote", target)
    except OSError as error:
        print("refused", target, error.strerror)
with open("inside.txt", "w") as f:
    f.write("fine")
"""
    result = await sandbox.run(SandboxJob(code=code))

    assert result.reason is ExitReason.ok, result.stderr
    assert [t for t in targets if t.exists()] == []
    # Refused one way or another (read-only mount, or a path the sandbox cannot see).
    assert all(f"refused {t}" in result.stdout for t in targets), result.stdout
    assert (result.workspace / "inside.txt").read_text() == "fine"


async def test_parent_secrets_are_not_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-parent-secret-1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-parent-secret-2")
    monkeypatch.setenv("SOME_TOKEN", "token-parent-secret-3")
    code = f"""
import os
print(dict(os.environ))
for path in ("/proc/self/environ", "/proc/1/environ", "/proc/{os.getpid()}/environ"):
    try:
        print(path, open(path, "rb").read())
    except OSError as error:
        print(path, "unreadable", error.strerror)
"""
    async with Sandbox(root=tmp_path, pool_size=1, preload=()) as fresh:
        result = await fresh.run(SandboxJob(code=code))

    assert result.reason is ExitReason.ok, result.stderr
    assert "parent-secret" not in result.stdout + result.stderr
    assert "PATH" in result.stdout


async def test_fork_bomb_is_capped_and_cleaned_up(sandbox: Sandbox) -> None:
    code = """
import os, time
forked = 0
while True:
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        forked += 1
    except OSError:
        print("capped after", forked, flush=True)
        time.sleep(60)
"""
    limits = SandboxLimits(processes=16, timeout_s=3)
    result = await sandbox.run(SandboxJob(code=code, limits=limits))

    assert result.reason is ExitReason.timeout
    capped_after = int(result.stdout.split()[2])
    assert 0 < capped_after < 16
    assert [d for pid in sandbox.server_pids for d in descendants(pid)] == []


async def test_infinite_loop_hits_the_wall_clock_timeout(sandbox: Sandbox) -> None:
    limits = SandboxLimits(timeout_s=1, cpu_s=60)
    result = await sandbox.run(SandboxJob(code="while True: pass", limits=limits))

    assert result.reason is ExitReason.timeout
    assert "wall-clock" in result.detail


async def test_busy_loop_hits_the_cpu_limit(sandbox: Sandbox) -> None:
    limits = SandboxLimits(timeout_s=30, cpu_s=1)
    result = await sandbox.run(SandboxJob(code="while True: pass", limits=limits))

    assert result.reason is ExitReason.timeout
    assert "CPU" in result.detail


async def test_memory_hog_hits_the_memory_limit(sandbox: Sandbox) -> None:
    limits = SandboxLimits(memory_bytes=2 << 30)
    result = await sandbox.run(SandboxJob(code="hog = bytearray(8 << 30)", limits=limits))

    assert result.reason is ExitReason.memory
    assert result.error is not None and result.error.type == "MemoryError"


async def test_huge_output_is_capped(sandbox: Sandbox) -> None:
    code = "import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 65536)\n"
    limits = SandboxLimits(output_bytes=100_000)
    result = await sandbox.run(SandboxJob(code=code, limits=limits))

    assert result.reason is ExitReason.ok
    assert len(result.stdout) == 100_000
    assert result.stdout_bytes == 200 * 65536
    assert result.output_truncated


async def test_huge_file_is_capped_by_the_file_size_limit(sandbox: Sandbox) -> None:
    code = "with open('big.bin', 'wb') as f:\n    f.write(b'x' * (4 << 20))\n"
    limits = SandboxLimits(file_bytes=1 << 20)
    result = await sandbox.run(SandboxJob(code=code, limits=limits))

    assert result.reason is ExitReason.error
    assert result.error is not None and "File too large" in result.error.message
    assert (result.workspace / "big.bin").stat().st_size <= 1 << 20
