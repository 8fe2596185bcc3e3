"""Limits hold for the whole job, not per process; the job's figures are its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from arena_core.sandbox import ExitReason, Sandbox, SandboxJob, SandboxLimits, runtime

pytestmark = pytest.mark.asyncio(loop_scope="module")

MiB = 1 << 20

BURN = """
import time
def burn(seconds):
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bare(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sandbox]:
    """A pool without preloaded modules, so memory figures are the job's own."""
    box = Sandbox(root=tmp_path_factory.mktemp("limits"), pool_size=1, preload=())
    await box.start()
    try:
        yield box
    finally:
        await box.close()


async def test_memory_of_all_the_jobs_processes_counts_against_one_limit(bare: Sandbox) -> None:
    code = """
import os, time
for _ in range(3):
    if os.fork() == 0:
        hog = bytearray(b"x") * (200 << 20)
        time.sleep(60)
hog = bytearray(b"x") * (200 << 20)
time.sleep(60)
"""
    limits = SandboxLimits(memory_bytes=512 * MiB, timeout_s=60)
    result = await bare.run(SandboxJob(code=code, limits=limits))

    assert result.reason is ExitReason.memory, (result.detail, result.stderr)
    assert "(job)" in result.detail or bare.limits_backend == "cgroup"


async def test_cpu_time_of_a_job_killed_at_its_deadline_is_counted(bare: Sandbox) -> None:
    # The job reports the CPU time it has used as it goes (a lower bound that survives
    # the kill), whatever share of the machine it gets.
    code = (
        BURN
        + """
for _ in range(15):
    burn(0.1)
    print(time.process_time(), flush=True)
time.sleep(60)
"""
    )
    result = await bare.run(SandboxJob(code=code, limits=SandboxLimits(timeout_s=8)))

    used = float(result.stdout.split()[-1])
    assert result.reason is ExitReason.timeout
    assert used > 0.5
    assert result.cpu_s >= used - runtime._SAMPLE_S


async def test_cpu_time_of_all_the_jobs_processes_counts_against_one_limit(
    bare: Sandbox,
) -> None:
    code = (
        BURN
        + """
import os
for _ in range(3):
    if os.fork() == 0:
        burn(1.2)
        time.sleep(60)
burn(1.2)
time.sleep(60)
"""
    )
    limits = SandboxLimits(cpu_s=2, timeout_s=60)
    result = await bare.run(SandboxJob(code=code, limits=limits))

    assert result.reason is ExitReason.timeout
    assert result.detail == "CPU limit of 2s (job)"


async def test_the_workspace_has_a_disk_quota(bare: Sandbox) -> None:
    code = """
written = 0
try:
    for i in range(6):
        with open(f"part{i}.bin", "wb") as f:
            f.write(b"x" * (1 << 20))
        written += 1
except OSError as error:
    print("stopped", error.errno, written)
"""
    limits = SandboxLimits(workspace_bytes=4 * MiB)
    result = await bare.run(SandboxJob(code=code, limits=limits))

    assert result.stdout.startswith("stopped 28 "), result.stdout + result.stderr
    assert sum(f.size for f in result.files) <= 4 * MiB


async def test_workspaces_and_their_files_are_owner_only(bare: Sandbox) -> None:
    code = "import os\nos.mkdir('sub')\nopen('sub/f.txt', 'w').write('x')\n"
    result = await bare.run(SandboxJob(code=code, inputs={"in.txt": b"i"}))

    for path in (result.workspace, result.workspace / "sub"):
        assert path.stat().st_mode & 0o077 == 0
    for name in ("sub/f.txt", "in.txt"):
        assert (result.workspace / name).stat().st_mode & 0o077 == 0
    assert (bare.root / "jobs").stat().st_mode & 0o077 == 0


async def test_a_job_may_not_trace_its_own_init(bare: Sandbox) -> None:
    code = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print(libc.ptrace(16, 1, None, None), os.strerror(ctypes.get_errno()))
"""
    result = await bare.run(SandboxJob(code=code, limits=SandboxLimits(timeout_s=30)))

    assert result.reason is ExitReason.ok
    assert result.stdout == "-1 Operation not permitted\n"


async def test_the_result_names_the_limits_backend(bare: Sandbox, tmp_path: Path) -> None:
    result = await bare.run(SandboxJob(code="pass"))

    expected = "cgroup" if runtime.cgroup_parent(None) else "rlimit"
    assert result.limits_backend == expected == bare.limits_backend
