"""Results, workspaces, concurrency and recovery of the sandbox pool."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from arena_core.sandbox import (
    ExitReason,
    Sandbox,
    SandboxJob,
    SandboxLimits,
    SandboxUnavailable,
    UnavailableReason,
)
from arena_core.sandbox.podman import podman_argv
from arena_core.sandbox.server import ForkServer

from .conftest import processes_in

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_an_exception_comes_back_with_its_traceback(sandbox: Sandbox) -> None:
    code = "def inner():\n    raise ValueError('bad input 7')\ninner()\n"
    result = await sandbox.run(SandboxJob(code=code))

    assert result.reason is ExitReason.error
    assert result.error is not None
    assert result.error.type == "ValueError"
    assert "in inner" in result.error.traceback
    assert "bad input 7" in result.detail


async def test_a_nonzero_exit_is_an_error(sandbox: Sandbox) -> None:
    result = await sandbox.run(SandboxJob(code="import sys\nsys.exit(3)"))

    assert result.reason is ExitReason.error
    assert result.exit_code == 3


async def test_inputs_are_in_the_workspace_and_outputs_are_listed_with_hashes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    code = "data = open('in/a.txt').read()\nopen('out.txt', 'w').write(data.upper())\n"
    job = SandboxJob(code=code, inputs={"in/a.txt": b"hello"}, workspace=tmp_path / "ws")
    result = await sandbox.run(job)

    files = {f.path: f for f in result.files}
    assert result.workspace == (tmp_path / "ws").resolve()
    assert files["out.txt"].sha256 == hashlib.sha256(b"HELLO").hexdigest()
    assert files["out.txt"].size == 5
    assert "in/a.txt" in files


async def test_symlinks_left_in_the_workspace_are_not_followed(sandbox: Sandbox) -> None:
    code = "import os\nos.symlink('/etc/passwd', 'stolen')\nopen('real.txt', 'w').write('x')\n"
    result = await sandbox.run(SandboxJob(code=code))

    assert [f.path for f in result.files] == ["real.txt"]


async def test_job_inputs_may_not_leave_the_workspace() -> None:
    with pytest.raises(ValidationError):
        SandboxJob(code="pass", inputs={"../outside.txt": b""})


async def test_four_concurrent_jobs_each_get_their_own_result(sandbox: Sandbox) -> None:
    code = "import time, os\ntime.sleep(0.3)\nprint(open('n.txt').read(), os.getcwd())\n"
    jobs = [SandboxJob(code=code, inputs={"n.txt": str(i).encode()}) for i in range(4)]
    results = await asyncio.gather(*(sandbox.run(job) for job in jobs))

    assert [r.stdout.split()[0] for r in results] == ["0", "1", "2", "3"]
    assert len({r.workspace for r in results}) == 4
    assert all(r.stdout.split()[1] == str(r.workspace) for r in results)


async def test_build123d_is_already_imported_in_a_warm_job(sandbox: Sandbox) -> None:
    code = "import sys\nprint('build123d' in sys.modules)"
    result = await sandbox.run(SandboxJob(code=code))

    assert result.stdout == "True\n"


async def test_pool_replaces_a_server_that_was_killed(sandbox: Sandbox) -> None:
    for pid in sandbox.server_pids:
        os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.2)

    result = await sandbox.run(SandboxJob(code="print('back')"))

    assert result.stdout == "back\n"


async def test_the_pool_grows_only_when_every_server_is_busy(tmp_path: Path) -> None:
    async with Sandbox(root=tmp_path, pool_size=2, preload=()) as box:
        await box.start()
        assert len(box.server_pids) == 1
        for i in range(3):
            assert (await box.run(SandboxJob(code=f"print({i})"))).stdout == f"{i}\n"
        assert len(box.server_pids) == 1  # one job at a time needs one server

        sleeper = SandboxJob(code="import time\ntime.sleep(0.3)\nprint('done')")
        results = await asyncio.gather(*(box.run(sleeper) for _ in range(3)))
        assert [r.stdout for r in results] == ["done\n"] * 3
        assert len(box.server_pids) == 2  # never more than pool_size


async def test_a_server_that_cannot_start_leaves_the_pool_smaller_and_the_job_waits(
    tmp_path: Path,
) -> None:
    async with Sandbox(root=tmp_path, pool_size=2, preload=()) as box:
        await box.start()
        healthy = box._new_server

        def broken(name: str, **kwargs: Any) -> ForkServer:
            server = healthy(name, **kwargs)
            server.argv = ["/bin/false"]  # exits before it says hello
            return server

        box._new_server = broken  # type: ignore[method-assign]
        sleeper = SandboxJob(code="import time\ntime.sleep(0.2)\nprint('done')")
        results = await asyncio.gather(box.run(sleeper), box.run(sleeper))

        assert [r.stdout for r in results] == ["done\n", "done\n"]
        assert len(box.server_pids) == 1


async def test_a_job_whose_server_dies_ends_as_killed(tmp_path: Path) -> None:
    async with Sandbox(root=tmp_path, pool_size=1, preload=()) as box:
        await box.start()
        (pid,) = box.server_pids
        sleeper = SandboxJob(code="import time\ntime.sleep(30)", workspace=tmp_path / "ws")
        job = asyncio.create_task(box.run(sleeper))
        await asyncio.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
        result = await job
        after = await box.run(SandboxJob(code="print('again')"))

    assert result.reason is ExitReason.killed
    assert "server died" in result.detail
    assert after.stdout == "again\n"


async def test_a_job_dies_with_its_server(tmp_path: Path) -> None:
    workspace = (tmp_path / "ws").resolve()
    async with Sandbox(root=tmp_path, pool_size=1, preload=()) as box:
        await box.start()
        (pid,) = box.server_pids
        sleeper = SandboxJob(code="import time\ntime.sleep(30)", workspace=workspace)
        job = asyncio.create_task(box.run(sleeper))
        for _ in range(100):
            if processes_in(workspace):
                break
            await asyncio.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        await job
        for _ in range(40):
            if not processes_in(workspace):
                break
            await asyncio.sleep(0.05)

    assert processes_in(workspace) == []


async def test_unsafe_local_mode_runs_jobs_without_namespaces(tmp_path: Path) -> None:
    async with Sandbox(root=tmp_path, mode="unsafe-local", pool_size=1, preload=()) as box:
        result = await box.run(SandboxJob(code="import os\nprint(os.getpid() != 1)"))

    assert result.reason is ExitReason.ok
    assert result.stdout == "True\n"


def _run_without_user_namespaces(mode: str, root: Path) -> str:
    """Run a job in a process where no user namespace can be created."""
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from arena_core.sandbox import Sandbox, SandboxJob, SandboxUnavailable

        async def main():
            async with Sandbox(root=Path({str(root)!r}), mode={mode!r}, preload=()) as box:
                try:
                    result = await box.run(SandboxJob(code="print('ran')"))
                    print("result", result.reason.value)
                except SandboxUnavailable as error:
                    print("unavailable", error.reason.value)

        asyncio.run(main())
        """
    )
    # user.max_user_namespaces is per user namespace: 0 forbids nested ones inside.
    shell = f'echo 0 > /proc/sys/user/max_user_namespaces && exec {sys.executable} -c "$0"'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "sh", "-c", shell, script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip() or done.stderr[-2000:]


async def test_missing_isolation_is_a_typed_error(tmp_path: Path) -> None:
    out = await asyncio.to_thread(_run_without_user_namespaces, "isolated", tmp_path)

    assert out == f"unavailable {UnavailableReason.isolation_unavailable.value}"


async def test_unsafe_local_runs_where_isolation_is_missing(tmp_path: Path) -> None:
    out = await asyncio.to_thread(_run_without_user_namespaces, "unsafe-local", tmp_path)

    assert out == "result ok"


async def test_podman_backend_without_podman_is_a_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    box = Sandbox(root=tmp_path, mode="podman")

    with pytest.raises(SandboxUnavailable) as raised:
        await box.run(SandboxJob(code="pass"))

    assert raised.value.reason is UnavailableReason.podman_not_found


async def test_podman_command_isolates_the_container(tmp_path: Path) -> None:
    limits = SandboxLimits(processes=32, memory_bytes=1 << 30)
    argv = podman_argv(binary="podman", image="arena-sandbox", workspace=tmp_path, limits=limits)

    assert "--network=none" in argv
    assert "--read-only" in argv
    assert "--pids-limit=32" in argv
    assert f"--memory={1 << 30}" in argv
    assert f"--volume={tmp_path}:{tmp_path}:rw" in argv
    assert not any(a.startswith(("--env", "-e")) for a in argv)


async def test_a_server_whose_pool_is_gone_exits_without_a_traceback(tmp_path: Path) -> None:
    # The pool's process was killed: the server finds its answer pipe closed.
    import json
    import struct

    from arena_core.sandbox.server import RUNTIME_PATH, server_env

    read_end, write_end = os.pipe()
    os.close(read_end)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-I", str(RUNTIME_PATH), "--once",
        stdin=subprocess.PIPE, stdout=write_end, stderr=subprocess.PIPE,
        cwd=tmp_path, env=server_env(tmp_path),
    )  # fmt: skip
    os.close(write_end)
    assert server.stdin is not None and server.stderr is not None
    hello = json.dumps({"probe": None, "isolate": False, "sandbox_uid": 0, "cgroup": None})
    server.stdin.write(struct.pack(">I", len(hello)) + hello.encode())
    await server.stdin.drain()
    server.stdin.close()
    stderr = await asyncio.wait_for(server.stderr.read(), 60)
    await asyncio.wait_for(server.wait(), 60)

    assert server.returncode == 1
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")


async def test_workspaces_left_by_a_killed_process_are_removed_by_the_next_sandbox(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from arena_core.sandbox import Sandbox, SandboxJob
        async def main():
            box = Sandbox(root=Path({str(tmp_path)!r}), pool_size=1, preload=())
            await box.run(SandboxJob(code="import time; time.sleep(120)"))
        asyncio.run(main())
        """
    )
    doomed = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, start_new_session=True
    )
    try:
        jobs = tmp_path / "jobs"
        for _ in range(1200):
            if jobs.is_dir() and any(jobs.iterdir()):
                break
            await asyncio.sleep(0.05)
        (left,) = jobs.iterdir()
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        await asyncio.wait_for(doomed.wait(), 60)
    elsewhere = jobs / "1@another-machine@01"  # maybe a live job there: never touched
    elsewhere.mkdir()

    async with Sandbox(root=tmp_path, pool_size=1, preload=()) as box:
        await box.start()
        mine = await box.run(SandboxJob(code="print('ok')"))

    assert not left.exists()
    assert elsewhere.exists()
    assert mine.workspace.parent == jobs
