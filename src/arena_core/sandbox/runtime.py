"""The sandbox runtime: the fork server and the isolated child of each job.

This file runs in its own Python process, started by path (``python -I runtime.py``),
so it imports the standard library only: no pydantic, no arena_core. The same file is
the entry point of the podman image, which copies this one file; that is why it is one
file, longer than our other modules, in sections: framing, kernel calls, the seccomp
filter, the jail, whole-job limits, the process tree, the server.

Protocol on stdin/stdout: frames of a 4-byte big-endian length and a JSON object. The
server writes one ``hello`` frame when it is ready (after importing the preload
modules, choosing the limits backend and probing isolation), then answers each job
frame with one result frame. ``--once`` reads a single job and exits.

Each job runs in a tree of three processes, all forked from the server:

* the *supervisor* joins the job's cgroup (when there is one), enters fresh user (when
  not root), mount, network, PID, IPC and UTS namespaces and builds the job's root: an
  empty tmpfs holding only the system directories (``/usr`` and its links), the loader
  cache, the Python installation, a few device nodes, a private ``/tmp`` and the
  workspace: a tmpfs of ``workspace_bytes`` (the disk quota) holding a copy of the
  inputs. Everything but ``/tmp`` and the workspace is read-only and nosuid. It then
  ``pivot_root``s into it, forks init and, when init has ended, copies the workspace
  back to the host directory (regular files and directories only, never following
  links);
* the *init* (PID 1 of the new PID namespace) mounts ``/proc``, becomes the sandbox uid
  when the server is root, enters a nested user and mount namespace as that non-root
  uid (so every mount it inherits is locked: it cannot be unmounted or made writable),
  drops every capability, sets no-new-privileges, installs the seccomp filter (no
  mount, ptrace, unshare, setns, keyctl, bpf, ...), forks the runner and reports its
  status. When init exits the kernel kills every process left in the namespace;
* the *runner*: rlimits (CPU, address space, file size, processes, open files), a
  minimal environment, the workspace as working and home directory, then the code.

Whole-job limits: with a cgroup v2 parent whose ``cgroup.subtree_control`` enables
memory, pids and cpu (``ARENA_SANDBOX_CGROUP``, or the server's own cgroup), each job
gets a leaf with ``memory.max``, ``pids.max`` and ``cpu.max``, and its CPU time is read
from ``cpu.stat``. Otherwise (backend ``rlimit``) the rlimits hold per process and the
server samples the job's process tree every ``_SAMPLE_S``: the sum of CPU time and of
proportional memory (PSS) is held against the job's limits. The server kills the
supervisor's process group on the wall-clock deadline or a broken limit; init receives
SIGKILL as its parent-death signal, which tears down the namespace.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import importlib
import json
import os
import resource
import selectors
import shutil
import signal
import stat
import struct
import sys
import time
import traceback
from typing import Any, BinaryIO

SETUP_FAILED_EXIT = 121
"""Exit status of a supervisor whose isolation could not be set up."""

MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin"
RUNNER_STATUS_UNKNOWN = -1
MAX_COPIED_ENTRIES = 10_000
"""Files and directories copied back from one workspace (the tmpfs holds no more)."""
JAIL_DIR = "root"
"""Mount point of each job's root, relative to the server's working directory."""
_CHUNK = 65536
_DRAIN_AFTER_EXIT_S = 2.0
_SAMPLE_S = 0.25


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


# -- kernel calls -----------------------------------------------------------------------

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_NAMESPACE_FLAGS = 0x7E020080
"""Every CLONE_NEW* flag (ns, cgroup, uts, ipc, user, pid, net, time)."""

_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_MNT_DETACH = 0x2

_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_MOUNT_ATTR_NOSUID = 0x2

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_CAPABILITY_VERSION_3 = 0x20080522

_MACHINES = {"x86_64": 0, "aarch64": 1}
_SYSCALLS: dict[str, tuple[int, int]] = {  # name: (x86_64, aarch64)
    "mount_setattr": (442, 442),
    "pivot_root": (155, 41),
    "clone": (56, 220),
    "clone3": (435, 435),
}


class IsolationError(OSError):
    """A namespace, mount, id-map, capability or seccomp step failed."""


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationError(errno, f"{what}: {os.strerror(errno)}")


def _syscall_number(name: str) -> int:
    machine = os.uname().machine
    if machine not in _MACHINES:
        raise IsolationError(0, f"unsupported machine {machine}")
    return _SYSCALLS[name][_MACHINES[machine]]


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


def _set_mount_attr(path: str, *, set_: int, clear: int, recursive: bool) -> None:
    attr = _MountAttr(set_, clear, 0, 0)
    flags = _AT_RECURSIVE if recursive else 0
    number = _syscall_number("mount_setattr")
    _check(
        _libc.syscall(
            number, _AT_FDCWD, path.encode(), flags, ctypes.byref(attr), ctypes.sizeof(attr)
        ),
        f"mount_setattr {path}",
    )


def _prctl(option: int, value: int, arg3: Any = 0) -> None:
    _check(_libc.prctl(option, value, arg3, 0, 0), f"prctl {option}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


# -- the seccomp filter -----------------------------------------------------------------

_AUDIT_ARCH = (0xC000003E, 0xC00000B7)
_X32_SYSCALL_BIT = 0x40000000
_DENIED: dict[str, tuple[int, int]] = {  # name: (x86_64, aarch64); refused with EPERM
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "unshare": (272, 97),
    "setns": (308, 268),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "pidfd_getfd": (438, 438),
    "kcmp": (312, 272),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264),
    "fanotify_init": (300, 262),
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "reboot": (169, 142),
    "acct": (163, 89),
    "quotactl": (179, 60),
    "quotactl_fd": (443, 443),
    "syslog": (103, 116),
    "lookup_dcookie": (212, 18),
    "vhangup": (153, 58),
    "settimeofday": (164, 170),
    "clock_settime": (227, 112),
    "clock_adjtime": (305, 266),
    "adjtimex": (159, 171),
    "sethostname": (170, 161),
    "setdomainname": (171, 162),
}
_BPF_LD_ABS_W = 0x20
_BPF_JEQ = 0x15
_BPF_JGE = 0x35
_BPF_JSET = 0x45
_BPF_RET = 0x06
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_EPERM = 1
_ENOSYS = 38
_DATA_ARCH = 4
_DATA_NR = 0
_DATA_ARG0_LOW = 16  # little-endian: the low half of args[0]


def seccomp_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The classic-BPF filter: foreign ABIs killed, the denied calls refused.

    ``clone`` with any namespace flag is refused; ``clone3`` (whose flags sit behind
    a pointer the filter cannot read) answers ENOSYS, so libc falls back to ``clone``.
    """
    index = _MACHINES[machine]
    program = [
        (_BPF_LD_ABS_W, 0, 0, _DATA_ARCH),
        (_BPF_JEQ, 1, 0, _AUDIT_ARCH[index]),
        (_BPF_RET, 0, 0, _RET_KILL_PROCESS),
        (_BPF_LD_ABS_W, 0, 0, _DATA_NR),
    ]
    if machine == "x86_64":
        program += [(_BPF_JGE, 0, 1, _X32_SYSCALL_BIT), (_BPF_RET, 0, 0, _RET_KILL_PROCESS)]
    for numbers in _DENIED.values():
        program += [(_BPF_JEQ, 0, 1, numbers[index]), (_BPF_RET, 0, 0, _RET_ERRNO | _EPERM)]
    program += [
        (_BPF_JEQ, 0, 1, _SYSCALLS["clone3"][index]),
        (_BPF_RET, 0, 0, _RET_ERRNO | _ENOSYS),
        (_BPF_JEQ, 0, 3, _SYSCALLS["clone"][index]),
        (_BPF_LD_ABS_W, 0, 0, _DATA_ARG0_LOW),
        (_BPF_JSET, 0, 1, _NAMESPACE_FLAGS),
        (_BPF_RET, 0, 0, _RET_ERRNO | _EPERM),
        (_BPF_RET, 0, 0, _RET_ALLOW),
    ]
    return program


def _install_seccomp() -> None:
    program = seccomp_program(os.uname().machine)
    filters = (_SockFilter * len(program))(*(_SockFilter(*insn) for insn in program))
    fprog = _SockFprog(len(program), filters)
    _check(
        _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "seccomp",
    )


def _drop_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable sets."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for capability in range(last + 1):
        _prctl(_PR_CAPBSET_DROP, capability)
    with contextlib.suppress(IsolationError):  # kernels without ambient capabilities
        _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


# -- the jail ---------------------------------------------------------------------------

_SYSTEM_ENTRIES = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC_ENTRIES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime")
_DEVICES = ("null", "zero", "full", "random", "urandom")
_DEV_LINKS = {
    "shm": "/tmp",
    "fd": "/proc/self/fd",
    "stdin": "/proc/self/fd/0",
    "stdout": "/proc/self/fd/1",
    "stderr": "/proc/self/fd/2",
}
_ROOT_TMPFS = "size=8m,nr_inodes=4096,mode=0755"


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _python_roots() -> list[str]:
    """The Python installation the job needs, outside the system directories.

    Prefixes and the ``sys.path`` entries inside them; a path entry elsewhere (a
    source checkout added by an editable install) stays out of the job's view.
    """
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    system = [os.path.realpath("/" + e) for e in _SYSTEM_ENTRIES if os.path.isdir("/" + e)]
    roots = set(prefixes)
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.isdir(real) and any(_inside(real, p) for p in prefixes):
            roots.add(real)
    kept = [r for r in roots if not any(_inside(r, s) for s in system)]
    return sorted(r for r in kept if not any(o != r and _inside(r, o) for o in kept))


def _map_ids(inner: int, outer_uid: int, outer_gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{inner} {outer_uid} 1")
    _write("/proc/self/gid_map", f"{inner} {outer_gid} 1")


def _real_root() -> bool:
    """Root of the initial user namespace (not root mapped inside a user namespace)."""
    if os.geteuid() != 0:
        return False
    with open("/proc/self/uid_map") as f:
        return f.read().split() == ["0", "0", "4294967295"]


def _bind(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    _mount(source, target, None, _MS_BIND | _MS_REC, None)


def _copy_tree(src_fd: int, dst_fd: int, owner: int | None) -> int:
    """Copy regular files and directories from one directory fd to another.

    Symlinks, devices and fifos are skipped, nothing is followed; stops after
    ``MAX_COPIED_ENTRIES``. Returns the number of entries copied.
    """
    copied = 0
    todo = [(os.dup(src_fd), os.dup(dst_fd))]
    nofollow = os.O_NOFOLLOW | os.O_CLOEXEC
    while todo:
        src, dst = todo.pop()
        try:
            for entry in os.scandir(src):
                if copied >= MAX_COPIED_ENTRIES:
                    break
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    os.mkdir(entry.name, 0o700, dir_fd=dst)
                    flags = os.O_RDONLY | os.O_DIRECTORY | nofollow
                    child = (
                        os.open(entry.name, flags, dir_fd=src),
                        os.open(entry.name, flags, dir_fd=dst),
                    )
                    if owner is not None:
                        os.fchown(child[1], owner, owner)
                    todo.append(child)
                elif stat.S_ISREG(mode):
                    source = os.open(entry.name, os.O_RDONLY | os.O_NONBLOCK | nofollow, dir_fd=src)
                    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow
                    target = os.open(entry.name, flags, 0o600, dir_fd=dst)
                    try:
                        if owner is not None:
                            os.fchown(target, owner, owner)
                        while os.sendfile(target, source, None, 1 << 20):
                            pass
                    finally:
                        os.close(source)
                        os.close(target)
                else:
                    continue
                copied += 1
        finally:
            os.close(src)
            os.close(dst)
    for src, dst in todo:
        os.close(src)
        os.close(dst)
    return copied


def _empty_directory(dir_fd: int) -> None:
    for entry in list(os.scandir(dir_fd)):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.name, dir_fd=dir_fd)
        else:
            os.unlink(entry.name, dir_fd=dir_fd)


def _build_root(jail: str, job: dict[str, Any], owner: int) -> None:
    """Populate the empty tmpfs at ``jail`` with what the job may see."""
    limits = job["limits"]
    workspace = os.path.realpath(job["workspace"])
    for name in _SYSTEM_ENTRIES:
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), jail + host)
        elif os.path.isdir(host):
            _bind(host, jail + host)
    # The private /tmp comes first: a Python installation or workspace under the host's
    # /tmp (a checkout in /tmp) is then bound on top of it instead of hidden beneath it.
    os.mkdir(jail + "/tmp")
    tmp_options = f"size={int(limits['tmp_bytes'])},nr_inodes=10000,mode=1777"
    _mount("tmpfs", jail + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, tmp_options)
    os.mkdir(jail + "/etc")
    for name in _ETC_ENTRIES:
        if os.path.exists("/etc/" + name):
            _bind("/etc/" + name, f"{jail}/etc/{name}")
    _write(
        jail + "/etc/passwd",
        f"root:x:0:0::/:/bin/false\nsandbox:x:{owner}:{owner}::/tmp:/bin/false\n",
    )
    _write(jail + "/etc/group", f"root:x:0:\nsandbox:x:{owner}:\n")
    _write(jail + "/etc/hosts", "127.0.0.1 localhost\n")
    for root in _python_roots():
        _bind(root, jail + root)
    os.mkdir(jail + "/dev")
    for name in _DEVICES:
        _bind("/dev/" + name, f"{jail}/dev/{name}")
    for name, target in _DEV_LINKS.items():
        os.symlink(target, f"{jail}/dev/{name}")
    # Covered by init's own /proc; without a visible proc beneath, the kernel refuses
    # that mount in a user namespace.
    _bind("/proc", jail + "/proc")
    os.makedirs(jail + workspace, exist_ok=True)
    quota = int(limits["workspace_bytes"])
    options = f"size={quota},nr_inodes={MAX_COPIED_ENTRIES},mode=0700,uid={owner},gid={owner}"
    _mount("tmpfs", jail + workspace, "tmpfs", _MS_NOSUID | _MS_NODEV, options)
    source = os.open(workspace, os.O_RDONLY | os.O_DIRECTORY)
    inside = os.open(jail + workspace, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _copy_tree(source, inside, owner)
    finally:
        os.close(source)
        os.close(inside)


def _enter_jail(job: dict[str, Any]) -> int:
    """In the supervisor: namespaces, the job's root, ``pivot_root`` into it.

    The root is built on a tmpfs mounted over ``JAIL_DIR`` in the server's directory
    (the supervisor's working directory), which nothing the job needs lives under.
    Returns a descriptor of the host workspace, for copying the results back.
    """
    workspace = os.path.realpath(job["workspace"])
    others = _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWPID | _CLONE_NEWIPC | _CLONE_NEWUTS
    if _real_root():
        owner = int(job["sandbox_uid"])
        _check(_libc.unshare(others), "unshare")
    else:
        owner = 0  # the server's uid, mapped to root in the supervisor's user namespace
        uid, gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(_CLONE_NEWUSER | others), "unshare")
        _map_ids(0, uid, gid)
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE, None)
    jail = os.path.realpath(JAIL_DIR)
    if any(_inside(p, jail) for p in (workspace, *_python_roots())):
        raise IsolationError(0, f"the server directory {jail} holds a path the job needs")
    _mount("tmpfs", jail, "tmpfs", _MS_NOSUID | _MS_NODEV, _ROOT_TMPFS)
    _build_root(jail, job, owner)
    host_workspace = os.open(workspace, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    os.chdir(jail)
    _check(_libc.syscall(_syscall_number("pivot_root"), b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", _MNT_DETACH), "umount old root")
    os.chdir("/")
    _set_mount_attr("/", set_=_MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID, clear=0, recursive=True)
    for writable in ("/tmp", workspace):
        _set_mount_attr(writable, set_=0, clear=_MOUNT_ATTR_RDONLY, recursive=False)
    return host_workspace


def _lock_down(job: dict[str, Any]) -> None:
    """In init, after ``/proc``: a non-root uid in a nested user and mount namespace.

    The nested mount namespace belongs to a less privileged user namespace, so the
    kernel locks every mount it copies; then no capabilities, no new privileges and
    the seccomp filter, inherited by everything the job starts.
    """
    uid = int(job["sandbox_uid"])
    if _real_root():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        _prctl(_PR_SET_DUMPABLE, 1)  # setuid cleared it; writing the id maps needs it
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS), "unshare nested")
    _map_ids(uid, outer_uid, outer_gid)
    _drop_capabilities()
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    _prctl(_PR_SET_DUMPABLE, 0)
    _install_seccomp()
    # A credential change clears the parent-death signal: arm it again.
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


# -- whole-job limits -------------------------------------------------------------------

_CONTROLLERS = {"memory", "pids", "cpu"}
_CPU_PERIOD_US = 100_000


def cgroup_parent(requested: str | None) -> str | None:
    """A cgroup v2 directory where job leaves can be made, or None (rlimit backend)."""
    candidates = [requested] if requested else []
    with contextlib.suppress(OSError):
        with open("/proc/self/cgroup") as f:
            own = next((line[3:].strip() for line in f if line.startswith("0::")), None)
        if own is not None:
            candidates += [os.path.join(m, own.lstrip("/")) for m in _cgroup2_mounts()]
    for path in candidates:
        try:
            with open(os.path.join(path, "cgroup.subtree_control")) as f:
                enabled = set(f.read().split())
        except OSError:
            continue
        if enabled >= _CONTROLLERS and os.access(path, os.W_OK) and _can_make_leaf(path):
            return path
    return None


def _can_make_leaf(parent: str) -> bool:
    trial = os.path.join(parent, f"probe-{os.getpid()}")
    try:
        os.mkdir(trial, 0o700)
        os.rmdir(trial)
    except OSError:
        return False
    return True


def _cgroup2_mounts() -> list[str]:
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if " - cgroup2 " in line]


class CgroupLeaf:
    """One job's cgroup: memory, process and CPU-bandwidth limits for the whole job."""

    def __init__(self, parent: str, name: str, limits: dict[str, Any]) -> None:
        self.path = os.path.join(parent, name)
        os.mkdir(self.path, 0o700)
        self._set("memory.max", str(int(limits["memory_bytes"])))
        with contextlib.suppress(OSError):
            self._set("memory.swap.max", "0")
        self._set("pids.max", str(int(limits["processes"])))
        quota = max(1000, int(float(limits["cpus"]) * _CPU_PERIOD_US))
        self._set("cpu.max", f"{quota} {_CPU_PERIOD_US}")

    def _set(self, name: str, value: str) -> None:
        _write(os.path.join(self.path, name), value)

    def _read(self, name: str) -> dict[str, int]:
        try:
            with open(os.path.join(self.path, name)) as f:
                return {k: int(v) for k, v in (line.split() for line in f)}
        except (OSError, ValueError):
            return {}

    def cpu_s(self) -> float:
        return self._read("cpu.stat").get("usage_usec", 0) / 1e6

    def oom_killed(self) -> bool:
        return self._read("memory.events").get("oom_kill", 0) > 0

    def remove(self) -> None:
        """Kill what is left and remove the leaf."""
        with contextlib.suppress(OSError):
            self._set("cgroup.kill", "1")
        for _ in range(100):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _process_table() -> dict[int, tuple[int, float, int]]:
    """pid -> (parent, CPU seconds of it and its reaped children, resident bytes)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        table[int(name)] = (int(fields[1]), ticks / _TICKS, int(fields[21]) * _PAGE)
    return table


def _proportional_bytes(pid: int, resident: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return resident


def tree_usage(root: int) -> tuple[float, int]:
    """CPU seconds and proportional memory of ``root`` and every process below it."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    cpu, memory, todo = 0.0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            cpu += table[pid][1]
            memory += _proportional_bytes(pid, table[pid][2])
        todo.extend(children.get(pid, ()))
    return cpu, memory


def _set_rlimits(limits: dict[str, Any]) -> None:
    cpu = int(limits["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["file_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(limits["open_files"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # An oversized write then fails with EFBIG (a readable traceback) instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


# -- the job's process tree ---------------------------------------------------------------


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
    _set_rlimits(job["limits"])
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
        _lock_down(job)
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
        host_workspace: int | None = None
        try:
            if job.get("cgroup"):
                _write(os.path.join(job["cgroup"], "cgroup.procs"), "0")
            if isolate:
                host_workspace = _enter_jail(job)
        except OSError as error:
            _report(report_fd, {"kind": "setup_failed", "detail": str(error)})
            return
        init = os.fork()
        if init == 0:
            code = 1
            try:
                if host_workspace is not None:
                    os.close(host_workspace)
                code = _init_process(job, report_fd, isolate)
            except BaseException as error:
                _report(report_fd, {"kind": "setup_failed", "detail": repr(error)})
                code = SETUP_FAILED_EXIT
            finally:
                os._exit(code)
        _, wait_status = os.waitpid(init, 0)
        status = os.waitstatus_to_exitcode(wait_status) & 0xFF
        if host_workspace is not None:
            _copy_back(job, host_workspace, report_fd)
    finally:
        _flush_std()
        os._exit(status)


def _copy_back(job: dict[str, Any], host_workspace: int, report_fd: int) -> None:
    """After the job: the workspace tmpfs replaces the host workspace's content."""
    try:
        inside = os.open(os.path.realpath(job["workspace"]), os.O_RDONLY | os.O_DIRECTORY)
        try:
            _empty_directory(host_workspace)
            _copy_tree(inside, host_workspace, None)
        finally:
            os.close(inside)
    except OSError as error:
        _report(report_fd, {"kind": "copy_failed", "detail": str(error)})


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


class _Meter:
    """The job's CPU time and memory, from its cgroup or by sampling its process tree."""

    def __init__(self, pid: int, leaf: CgroupLeaf | None, limits: dict[str, Any]) -> None:
        self.pid = pid
        self.leaf = leaf
        self.cpu_limit = float(limits["cpu_s"])
        self.memory_limit = int(limits["memory_bytes"])
        self.cpu_s = 0.0
        self.peak_bytes = 0

    def sample(self) -> str | None:
        """Update the figures; name the whole-job limit that is broken, if any."""
        if self.leaf is not None:
            self.cpu_s = max(self.cpu_s, self.leaf.cpu_s())
            if self.leaf.oom_killed():
                return "memory"
        else:
            cpu, memory = tree_usage(self.pid)
            self.cpu_s = max(self.cpu_s, cpu)
            self.peak_bytes = max(self.peak_bytes, memory)
            if memory > self.memory_limit:
                return "memory"
        return "cpu" if self.cpu_s > self.cpu_limit else None


def run_job(job: dict[str, Any], cgroup: str | None = None) -> dict[str, Any]:
    """Fork the job's process tree, collect its output and status, enforce its limits."""
    limits = job["limits"]
    leaf = None
    if cgroup:
        try:
            leaf = CgroupLeaf(cgroup, f"job-{os.getpid()}-{time.monotonic_ns()}", limits)
        except OSError as error:  # the job still runs, under the per-process limits
            print(f"sandbox: no cgroup leaf in {cgroup}: {error}", file=sys.stderr)
    job = {**job, "cgroup": leaf.path if leaf else None}
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
    meter = _Meter(pid, leaf, limits)
    next_sample = started + _SAMPLE_S
    timed_out = False
    broken: str | None = None
    exited_at: float | None = None
    wait_status = 0
    rusage: resource.struct_rusage | None = None
    open_streams = set(streams)
    while open_streams or exited_at is None:
        now = time.monotonic()
        if exited_at is None and not (timed_out or broken):
            if now >= next_sample:
                broken = meter.sample()
                next_sample = now + _SAMPLE_S
            if now >= deadline:
                timed_out = True
            if timed_out or broken:
                _kill_tree(pid)
        if exited_at is not None:
            if now - exited_at > _DRAIN_AFTER_EXIT_S:
                break
            wait = exited_at + _DRAIN_AFTER_EXIT_S - now
        elif timed_out or broken:
            wait = 0.5
        else:
            wait = min(deadline, next_sample) - now
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
    if leaf is not None:
        meter.sample()
        if broken is None and leaf.oom_killed():
            broken = "memory"
        leaf.remove()

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
    reaped_cpu = (rusage.ru_utime + rusage.ru_stime) if rusage else 0.0
    return {
        "kind": "result",
        "timed_out": timed_out,
        "limit": broken,
        "limits_backend": "cgroup" if leaf else "rlimit",
        "setup_failed": setup["detail"] if setup else None,
        "supervisor_status": wait_status,
        "runner_status": int(runner["wait_status"]) if runner else RUNNER_STATUS_UNKNOWN,
        "failure": failure,
        "stdout": base64.b64encode(bytes(stdout.data)).decode(),
        "stderr": base64.b64encode(bytes(stderr.data)).decode(),
        "stdout_bytes": stdout.total,
        "stderr_bytes": stderr.total,
        "wall_s": time.monotonic() - started,
        "cpu_s": max(meter.cpu_s, reaped_cpu),
        "max_rss_kb": max(rusage.ru_maxrss if rusage else 0, meter.peak_bytes // 1024),
    }


# -- the server -------------------------------------------------------------------------


def probe(isolate: bool, sandbox_uid: int, workspace: str, cgroup: str | None) -> str | None:
    """Run an empty job; return why isolation cannot be set up, or None."""
    os.makedirs(workspace, mode=0o700, exist_ok=True)
    job = {
        "code": "pass",
        "workspace": workspace,
        "isolate": isolate,
        "sandbox_uid": sandbox_uid,
        "limits": {
            "timeout_s": 30,
            "cpu_s": 30,
            "cpus": 1.0,
            "memory_bytes": 1 << 40,
            "file_bytes": 1 << 20,
            "processes": 64,
            "open_files": 64,
            "output_bytes": 4096,
            "tmp_bytes": 1 << 20,
            "workspace_bytes": 1 << 20,
        },
    }
    result = run_job(job, cgroup)
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
    os.makedirs(JAIL_DIR, mode=0o700, exist_ok=True)
    cgroup = cgroup_parent(hello.get("cgroup"))
    problem = None
    if hello.get("probe"):
        problem = probe(bool(hello["isolate"]), int(hello["sandbox_uid"]), hello["probe"], cgroup)
    write_frame(
        stdout,
        {
            "kind": "hello",
            "pid": os.getpid(),
            "isolation_problem": problem,
            "preload_s": preload_s,
            "limits_backend": "cgroup" if cgroup else "rlimit",
        },
    )
    while True:
        job = read_frame(stdin)
        if job is None:
            return
        write_frame(stdout, run_job(job, cgroup))
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
    try:
        serve(control_in, control_out, once="--once" in sys.argv[1:])
    except BrokenPipeError:
        # The pool's process is gone (killed): nobody is left to answer, and a traceback
        # in its log would only hide the reason it died.
        os._exit(1)


if __name__ == "__main__":
    main()
