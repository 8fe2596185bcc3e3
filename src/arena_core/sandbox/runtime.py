"""The sandbox runtime: the fork server and the isolated child of each job.

This file runs in its own Python process, started by path (``python -I runtime.py``),
so it imports the standard library only: no pydantic, no arena_core. The same file is
the entry point of the podman image.

Protocol on stdin/stdout: frames of a 4-byte big-endian length and a JSON object. The
server writes one ``hello`` frame when it is ready (after importing the preload
modules and probing isolation), then answers each job frame with one result frame.
``--once`` reads a single job and exits (the cold path and the container path).

Each job runs in a tree of three processes, all forked from the server:

* the *supervisor* drops to an unprivileged uid when the server runs as root, enters
  fresh user, mount, network, PID, IPC and UTS namespaces, makes every mount
  read-only except the workspace and a private ``/tmp`` (both bound writable), hides
  the operator's home directory behind an empty tmpfs (re-exposing the Python
  installation only), and forks
* the *init* (PID 1 of the new PID namespace): mounts a fresh ``/proc``, forks the
  runner and reports its wait status. When init exits the kernel kills every process
  left in the namespace, so nothing the job started outlives the job;
* the *runner*: rlimits (CPU, address space, file size, processes, open files), a
  minimal environment, the workspace as working and home directory, then the code.

The server kills the supervisor's process group on the wall-clock deadline; init
receives SIGKILL as its parent-death signal, which tears down the namespace.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import importlib
import json
import os
import pwd
import resource
import selectors
import signal
import struct
import sys
import time
import traceback
from typing import Any, BinaryIO

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000

_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000

_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_SYS_MOUNT_SETATTR = {"x86_64": 442, "aarch64": 442}

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4

SETUP_FAILED_EXIT = 121
"""Exit status of a supervisor whose isolation could not be set up."""

MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin"
RUNNER_STATUS_UNKNOWN = -1
_CHUNK = 65536
_DRAIN_AFTER_EXIT_S = 2.0


class IsolationError(OSError):
    """A namespace, mount or id-map step failed."""


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationError(errno, f"{what}: {os.strerror(errno)}")


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None
) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _set_readonly(path: str, *, readonly: bool, recursive: bool) -> None:
    number = _SYS_MOUNT_SETATTR.get(os.uname().machine)
    if number is None:
        raise IsolationError(0, f"mount_setattr: unsupported machine {os.uname().machine}")
    attr = _MountAttr(_MOUNT_ATTR_RDONLY if readonly else 0, 0 if readonly else _MOUNT_ATTR_RDONLY)
    flags = _AT_RECURSIVE if recursive else 0
    _check(
        _libc.syscall(
            number, _AT_FDCWD, path.encode(), flags, ctypes.byref(attr), ctypes.sizeof(attr)
        ),
        f"mount_setattr {path}",
    )


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl {option}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


# -- framing ----------------------------------------------------------------------------


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    header = stream.read(4)
    if len(header) < 4:
        return None
    (size,) = struct.unpack(">I", header)
    body = stream.read(size)
    if len(body) < size:
        return None
    frame: dict[str, Any] = json.loads(body)
    return frame


def write_frame(stream: BinaryIO, frame: dict[str, Any]) -> None:
    body = json.dumps(frame).encode()
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


# -- the job's process tree ---------------------------------------------------------------


def _python_roots() -> list[str]:
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.update(os.path.realpath(p) for p in sys.path if p and os.path.isdir(p))
    return sorted(roots)


def _hidden_dirs() -> list[str]:
    """Directories replaced by an empty tmpfs: ``/tmp`` and the operator's home."""
    hidden = ["/tmp"]
    home = os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir)
    if home not in ("/", "/tmp") and os.path.isdir(home):
        hidden.append(home)
    if os.geteuid() == 0 and os.path.isdir("/root") and "/root" not in hidden:
        hidden.append("/root")
    return hidden


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _map_ids(inner: int, uid: int, gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{inner} {uid} 1")
    _write("/proc/self/gid_map", f"{inner} {gid} 1")


def _isolate(job: dict[str, Any]) -> None:
    """In the supervisor: enter fresh namespaces and build the read-only view.

    Unprivileged, a new user namespace grants the right to mount. As root, the
    namespaces are entered directly and the privileges dropped later, in init.
    """
    workspace = os.path.realpath(job["workspace"])
    hidden = _hidden_dirs()
    others = _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWPID | _CLONE_NEWIPC | _CLONE_NEWUTS
    if _real_root():
        uid = gid = int(job["sandbox_uid"])
        os.chown(workspace, uid, gid)
        for entry in os.scandir(workspace):
            os.chown(entry.path, uid, gid, follow_symlinks=False)
        _check(_libc.unshare(others), "unshare")
    else:
        uid, gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(_CLONE_NEWUSER | others), "unshare")
        _map_ids(0, uid, gid)

    _mount(None, "/", None, _MS_REC | _MS_PRIVATE, None)
    # Handles are opened in the new mount namespace (bind sources must belong to it)
    # and before the hidden directories are covered.
    rebinds = [
        (root, os.open(root, os.O_PATH | os.O_DIRECTORY))
        for root in _python_roots()
        if any(_inside(root, h) for h in hidden)
    ]
    workspace_fd = os.open(workspace, os.O_PATH | os.O_DIRECTORY)
    tmp_size = int(job["limits"]["tmp_bytes"])
    for directory in hidden:
        _mount("tmpfs", directory, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={tmp_size},mode=1777")
    for root, fd in rebinds:
        os.makedirs(root, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", root, None, _MS_BIND | _MS_REC, None)
        os.close(fd)
    os.makedirs(workspace, exist_ok=True)
    _mount(f"/proc/self/fd/{workspace_fd}", workspace, None, _MS_BIND | _MS_REC, None)
    os.close(workspace_fd)
    _set_readonly("/", readonly=True, recursive=True)
    _set_readonly("/tmp", readonly=False, recursive=False)
    _set_readonly(workspace, readonly=False, recursive=False)


def _real_root() -> bool:
    """Root of the initial user namespace (not root mapped inside a user namespace)."""
    if os.geteuid() != 0:
        return False
    with open("/proc/self/uid_map") as f:
        return f.read().split() == ["0", "0", "4294967295"]


def _drop_root(job: dict[str, Any]) -> None:
    """In init, when the server runs as root: become the sandbox uid.

    Root ignores RLIMIT_NPROC. A user namespace of its own also makes the process
    limit count this job's processes only, not every job running as the same uid.
    """
    uid = gid = int(job["sandbox_uid"])
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    _prctl(_PR_SET_DUMPABLE, 1)  # setuid cleared it; writing the id maps needs it
    _check(_libc.unshare(_CLONE_NEWUSER), "unshare user")
    _map_ids(uid, uid, gid)


def _set_limits(limits: dict[str, Any]) -> None:
    cpu = int(limits["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["file_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(limits["open_files"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # An oversized write then fails with EFBIG (a readable traceback) instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _report(fd: int, record: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, json.dumps(record).encode() + b"\n")


def _run_code(job: dict[str, Any], report_fd: int) -> int:
    """In the runner: limits, environment, then the job's code as ``__main__``."""
    workspace = os.path.realpath(job["workspace"])
    os.chdir(workspace)
    os.environ.clear()
    os.environ.update(
        PATH=MINIMAL_PATH,
        HOME=workspace,
        TMPDIR="/tmp",
        LANG="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    sys.argv = ["job"]
    for stream in (sys.stdout, sys.stderr):
        # Line buffering keeps output written before a kill.
        with contextlib.suppress(Exception):
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    _set_limits(job["limits"])
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(job["code"], "<job>", "exec"), namespace)
    except SystemExit as stop:
        code = stop.code
        if code is None or code == 0:
            return 0
        _report(report_fd, {"kind": "exit", "code": code if isinstance(code, int) else 1})
        return code if isinstance(code, int) else 1
    except BaseException as error:
        _report(
            report_fd,
            {
                "kind": "exception",
                "type": type(error).__name__,
                "message": str(error)[:4096],
                "traceback": "".join(traceback.format_exception(error))[-16384:],
            },
        )
        return 1
    return 0


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _init_process(job: dict[str, Any], report_fd: int, isolate: bool) -> int:
    """PID 1 of the job's namespace: fork the runner, reap everything, report its status."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if isolate:
        _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)
        if _real_root():
            _drop_root(job)
            # A credential change clears the parent-death signal: arm it again.
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    runner = os.fork()
    if runner == 0:
        status = 1
        try:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            status = _run_code(job, report_fd)
        finally:
            _flush_std()
            os._exit(status)
    while True:
        pid, wait_status = os.waitpid(-1, 0)
        if pid == runner:
            _report(report_fd, {"kind": "runner", "wait_status": wait_status})
            return 0


def _supervise(job: dict[str, Any], server: int, report_fd: int, out_fd: int, err_fd: int) -> None:
    """The forked supervisor: never returns."""
    status = SETUP_FAILED_EXIT
    try:
        os.setsid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != server:  # the server died before the death signal was armed
            return
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        # The server's control pipes and everything else stay out of the job's reach.
        os.closerange(3, report_fd)
        os.closerange(report_fd + 1, 65536)
        isolate = bool(job["isolate"])
        try:
            if isolate:
                _isolate(job)
        except OSError as error:
            _report(report_fd, {"kind": "setup_failed", "detail": str(error)})
            return
        init = os.fork()
        if init == 0:
            code = 1
            try:
                code = _init_process(job, report_fd, isolate)
            except BaseException as error:
                _report(report_fd, {"kind": "setup_failed", "detail": repr(error)})
                code = SETUP_FAILED_EXIT
            finally:
                os._exit(code)
        _, wait_status = os.waitpid(init, 0)
        status = os.waitstatus_to_exitcode(wait_status) & 0xFF
    finally:
        _flush_std()
        os._exit(status)


def _kill_tree(pid: int) -> None:
    """SIGKILL the supervisor's process group (init's death then empties its namespace)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class _Capped:
    """Keeps the first ``cap`` bytes of a stream and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.total = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Fork the job's process tree, collect its output and status, enforce the deadline."""
    limits = job["limits"]
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    started = time.monotonic()
    _flush_std()
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(err_r)
        os.close(rep_r)
        _supervise(job, server, rep_w, out_w, err_w)
    for fd in (out_w, err_w, rep_w):
        os.close(fd)

    output_cap = int(limits["output_bytes"])
    streams = {out_r: _Capped(output_cap), err_r: _Capped(output_cap), rep_r: _Capped(1 << 20)}
    pidfd = os.pidfd_open(pid)
    selector = selectors.DefaultSelector()
    for fd in streams:
        selector.register(fd, selectors.EVENT_READ)
    selector.register(pidfd, selectors.EVENT_READ)
    deadline = started + float(limits["timeout_s"])
    timed_out = False
    exited_at: float | None = None
    wait_status = 0
    rusage: resource.struct_rusage | None = None
    open_streams = set(streams)
    while open_streams or exited_at is None:
        now = time.monotonic()
        if exited_at is None and not timed_out and now >= deadline:
            timed_out = True
            _kill_tree(pid)
        if exited_at is not None:
            if now - exited_at > _DRAIN_AFTER_EXIT_S:
                break
            wait = exited_at + _DRAIN_AFTER_EXIT_S - now
        else:
            wait = 0.5 if timed_out else deadline - now
        for key, _ in selector.select(max(0.0, wait)):
            fd = int(key.fd)
            if fd == pidfd:
                # The supervisor is a zombie: its group id cannot be reused yet.
                _kill_tree(pid)
                _, wait_status, rusage = os.wait4(pid, 0)
                exited_at = time.monotonic()
                selector.unregister(pidfd)
                continue
            chunk = os.read(fd, _CHUNK)
            if chunk:
                streams[fd].feed(chunk)
            else:
                selector.unregister(fd)
                open_streams.discard(fd)
    selector.close()
    for fd in (*streams, pidfd):
        os.close(fd)
    if exited_at is None:  # pragma: no cover - a supervisor that outlives SIGKILL
        _, wait_status, rusage = os.wait4(pid, 0)

    records = []
    for line in bytes(streams[rep_r].data).splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict):
                records.append(record)
    setup = next((r for r in records if r.get("kind") == "setup_failed"), None)
    runner = next((r for r in records if r.get("kind") == "runner"), None)
    failure = next((r for r in records if r.get("kind") in ("exception", "exit")), None)
    stdout, stderr = streams[out_r], streams[err_r]
    return {
        "kind": "result",
        "timed_out": timed_out,
        "setup_failed": setup["detail"] if setup else None,
        "supervisor_status": wait_status,
        "runner_status": int(runner["wait_status"]) if runner else RUNNER_STATUS_UNKNOWN,
        "failure": failure,
        "stdout": base64.b64encode(bytes(stdout.data)).decode(),
        "stderr": base64.b64encode(bytes(stderr.data)).decode(),
        "stdout_bytes": stdout.total,
        "stderr_bytes": stderr.total,
        "wall_s": time.monotonic() - started,
        "cpu_s": (rusage.ru_utime + rusage.ru_stime) if rusage else 0.0,
        "max_rss_kb": rusage.ru_maxrss if rusage else 0,
    }


def probe(isolate: bool, sandbox_uid: int, workspace: str) -> str | None:
    """Run an empty job; return why isolation cannot be set up, or None."""
    os.makedirs(workspace, exist_ok=True)
    job = {
        "code": "pass",
        "workspace": workspace,
        "isolate": isolate,
        "sandbox_uid": sandbox_uid,
        "limits": {
            "timeout_s": 30,
            "cpu_s": 30,
            "memory_bytes": 1 << 40,
            "file_bytes": 1 << 20,
            "processes": 64,
            "open_files": 64,
            "output_bytes": 4096,
            "tmp_bytes": 1 << 20,
        },
    }
    result = run_job(job)
    if result["setup_failed"]:
        return str(result["setup_failed"])
    if result["runner_status"] != 0:
        stderr = base64.b64decode(result["stderr"]).decode(errors="replace")
        return f"probe job failed (status {result['runner_status']}): {stderr[-2000:]}"
    return None


def serve(stdin: BinaryIO, stdout: BinaryIO, *, once: bool) -> None:
    args = sys.argv[1:]
    preload = [a.split("=", 1)[1] for a in args if a.startswith("--preload=")]
    started = time.monotonic()
    for module in preload:
        importlib.import_module(module)
    preload_s = time.monotonic() - started
    hello = read_frame(stdin)
    if hello is None:
        return
    problem = None
    if hello.get("probe"):
        problem = probe(bool(hello["isolate"]), int(hello["sandbox_uid"]), hello["probe"])
    write_frame(
        stdout,
        {"kind": "hello", "pid": os.getpid(), "isolation_problem": problem, "preload_s": preload_s},
    )
    while True:
        job = read_frame(stdin)
        if job is None:
            return
        write_frame(stdout, run_job(job))
        if once:
            return


def main() -> None:
    # The control channel is the only use of the real stdin/stdout; the jobs' output
    # goes through their own pipes.
    control_in = os.fdopen(os.dup(0), "rb")
    control_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    serve(control_in, control_out, once="--once" in sys.argv[1:])


if __name__ == "__main__":
    main()
