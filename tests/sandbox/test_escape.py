"""Hostile jobs against the isolated runtime, with Arena as root and as an ordinary user.

Each test starts ``runtime.py`` the way the pool does (``python -I runtime.py``), either
as root or under ``setpriv --reuid`` as an unprivileged uid, and sends it one job.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import stat
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arena_core.sandbox.server import RUNTIME_PATH, server_env

REPO = Path(__file__).resolve().parents[2]
UNPRIVILEGED_UID = 4321
SANDBOX_UID = 65534

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to test both cases")

ESCAPE = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)

def attempt(name, result):
    print(name, "refused" if result != 0 else "DONE", os.strerror(ctypes.get_errno()))

MS_REMOUNT, MS_BIND, MS_REC = 0x20, 0x1000, 0x4000
attempt("remount-root-rw", libc.mount(None, b"/", None, MS_REMOUNT | MS_BIND | MS_REC, None))
mounts = [line.split()[4] for line in open("/proc/self/mountinfo")]
for target in reversed(mounts):
    attempt("umount " + target, libc.umount2(target.encode(), 2))
attempt("unshare-user", libc.unshare(0x10000000))
attempt("unshare-mount", libc.unshare(0x00020000))
attempt("ptrace-init", libc.ptrace(16, 1, None, None))
if os.uname().machine == "x86_64":
    pid = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)  # clone(CLONE_NEWUSER)
    if pid == 0:
        os._exit(0)
    attempt("clone-newuser", 0 if pid > 0 else -1)
for path in HOST_PATHS:
    try:
        seen = sorted(os.listdir(path))[:20] if os.path.isdir(path) else open(path).read(80)
        print("visible", path, seen)
    except OSError as error:
        print("hidden", path, error.strerror)
try:
    with open(TARGET, "w") as f:
        f.write("escaped")
    print("wrote", TARGET)
except OSError as error:
    print("refused-write", error.strerror)
print("status", open("/proc/self/status").read().split("CapInh")[1].split("Speculation")[0])
"""


def _inaccessible_ancestor(path: str) -> str | None:
    """The outermost directory above ``path`` that others cannot traverse."""
    parts = Path(path).parts
    for i in range(2, len(parts) + 1):
        directory = Path(*parts[:i])
        if not os.stat(directory).st_mode & stat.S_IXOTH:
            return str(directory)
    return None


def _as_user_argv(argv: list[str], uid: int) -> list[str]:
    """``argv`` under ``setpriv --reuid``, with the interpreter made reachable.

    When the Python installation lies under a directory others cannot enter (such
    as ``/root``), a private mount namespace shows that one installation through an
    empty tmpfs; nothing else of the directory is visible to the unprivileged run.
    """
    setpriv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]
    base = os.path.realpath(sys.base_prefix)
    hidden = _inaccessible_ancestor(base)
    if hidden is None:
        return setpriv
    scratch = tempfile.mkdtemp(prefix="arena-python-")
    script = " && ".join(
        [
            f"mount --bind {shlex.quote(base)} {scratch}",
            f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(hidden)}",
            f"mkdir -p {shlex.quote(base)}",
            f"mount --move {scratch} {shlex.quote(base)}",
            "exec " + shlex.join(setpriv),
        ]
    )
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]


def _frame(body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    return struct.pack(">I", len(data)) + data


def _frames(data: bytes) -> list[dict[str, Any]]:
    frames = []
    while len(data) >= 4:
        (size,) = struct.unpack(">I", data[:4])
        frames.append(json.loads(data[4 : 4 + size]))
        data = data[4 + size :]
    return frames


@pytest.fixture
def place() -> Iterator[Path]:
    """A directory under /tmp both root and the unprivileged uid can use."""
    directory = Path(tempfile.mkdtemp(prefix="arena-escape-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        subprocess.run(["rm", "-rf", str(directory)], check=False)


def run_hostile(code: str, place: Path, uid: int | None) -> dict[str, Any]:
    """Run ``code`` in a one-job isolated runtime; the result frame and decoded output."""
    home, workspace = place / "server", place / "workspace"
    for directory in (home, workspace):
        directory.mkdir(mode=0o700)
        if uid is not None:
            os.chown(directory, uid, uid)
    argv = [sys.executable, "-I", str(RUNTIME_PATH), "--once"]
    if uid is not None:
        argv = _as_user_argv(argv, uid)
    limits = {
        "timeout_s": 60,
        "cpu_s": 60,
        "cpus": 1.0,
        "memory_bytes": 1 << 32,
        "file_bytes": 1 << 20,
        "processes": 32,
        "open_files": 64,
        "output_bytes": 1 << 20,
        "tmp_bytes": 1 << 20,
        "workspace_bytes": 1 << 20,
    }
    hello = {"probe": None, "isolate": True, "sandbox_uid": SANDBOX_UID, "cgroup": None}
    job = {
        "code": code,
        "workspace": str(workspace),
        "isolate": True,
        "sandbox_uid": SANDBOX_UID,
        "limits": limits,
    }
    done = subprocess.run(
        argv,
        input=_frame(hello) + _frame(job),
        capture_output=True,
        cwd=home,
        env=server_env(home),
        timeout=120,
    )
    frames = _frames(done.stdout)
    assert len(frames) == 2, done.stderr.decode(errors="replace")[-3000:]
    result = frames[1]
    result["out"] = base64.b64decode(result["stdout"]).decode()
    result["err"] = base64.b64decode(result["stderr"]).decode()
    return result


@pytest.mark.parametrize("uid", [None, UNPRIVILEGED_UID], ids=["as-root", "as-user"])
def test_the_mount_escape_fails_and_nothing_reaches_the_host(place: Path, uid: int | None) -> None:
    target = place / "escaped.txt"
    if uid is not None:
        place.chmod(0o777)
    host_paths = ["/root", "/home", "/data", "/work", str(REPO / "pyproject.toml"), "/etc/shadow"]
    header = f"HOST_PATHS = {host_paths!r}\nTARGET = {str(target)!r}\n"
    result = run_hostile(header + ESCAPE, place, uid)

    assert result["setup_failed"] is None, result["setup_failed"]
    lines = result["out"].splitlines()
    assert any(line.startswith("remount-root-rw refused") for line in lines), result["err"]
    assert any(line.startswith("umount /tmp refused") for line in lines), result["out"]
    assert [line for line in lines if " DONE " in line] == []
    for name in ("unshare-user", "unshare-mount", "ptrace-init"):
        assert f"{name} refused Operation not permitted" in lines
    assert [line for line in lines if line.startswith("visible") and "pyproject" in line] == []
    assert [line for line in lines if line.startswith("visible /root") and "'.'" in line] == []
    for path in ("/data", "/etc/shadow", str(REPO / "pyproject.toml")):
        assert f"hidden {path} No such file or directory" in lines
    # A write may land in the job's own /tmp (the workspace's parents are made there),
    # never on the host.
    assert not target.exists()
    status = result["out"].split("status", 1)[1]
    assert "CapEff:\t0000000000000000" in status
    assert "CapBnd:\t0000000000000000" in status
    assert "NoNewPrivs:\t1" in status
    assert "Seccomp:\t2" in status


@pytest.mark.parametrize("uid", [None, UNPRIVILEGED_UID], ids=["as-root", "as-user"])
def test_the_job_runs_as_a_non_root_uid_and_writes_its_workspace(
    place: Path, uid: int | None
) -> None:
    code = "import os\nprint(os.getuid(), os.geteuid())\nopen('made.txt', 'w').write('x')\n"
    result = run_hostile(code, place, uid)

    assert result["out"] == f"{SANDBOX_UID} {SANDBOX_UID}\n", result["err"]
    made = place / "workspace" / "made.txt"
    assert made.read_text() == "x"
    assert made.stat().st_mode & 0o077 == 0
    assert made.stat().st_uid == (uid or 0)
