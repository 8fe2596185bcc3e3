"""From the runtime's raw result frame to a typed ``SandboxResult``."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
from pathlib import Path
from typing import Any

from arena_core.sandbox.models import (
    ExitReason,
    JobError,
    ProducedFile,
    SandboxLimits,
    SandboxResult,
)

MAX_LISTED_FILES = 10_000
"""Files listed from one workspace; a job that makes more gets only the first ones."""

_MEMORY_MARKERS = ("bad_alloc", "MemoryError", "Cannot allocate memory", "out of memory")
_NATIVE_ABORTS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS}
_RUNNER_STATUS_UNKNOWN = -1


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _decode(data: str) -> bytes:
    return base64.b64decode(data)


def classify(
    raw: dict[str, Any], limits: SandboxLimits, workspace: Path, files: list[ProducedFile]
) -> SandboxResult:
    """Name how the job ended from the runner's wait status and its own report."""
    stdout_raw, stderr_raw = _decode(raw["stdout"]), _decode(raw["stderr"])
    stderr = stderr_raw.decode(errors="replace")
    failure: dict[str, Any] | None = raw.get("failure")
    status = int(raw["runner_status"])
    cpu_s = float(raw["cpu_s"])

    exit_code: int | None = None
    signal_number: int | None = None
    if status != _RUNNER_STATUS_UNKNOWN:
        if os.WIFSIGNALED(status):
            signal_number = os.WTERMSIG(status)
            exit_code = -signal_number
        elif os.WIFEXITED(status):
            exit_code = os.WEXITSTATUS(status)

    error: JobError | None = None
    if failure and failure.get("kind") == "exception":
        error = JobError(
            type=str(failure.get("type", "")),
            message=str(failure.get("message", "")),
            traceback=str(failure.get("traceback", "")),
        )
    elif failure and failure.get("kind") == "exit":
        code = failure.get("code")
        error = JobError(type="SystemExit", message=str(code), traceback="")

    reason: ExitReason
    detail = ""
    broken = raw.get("limit")
    if raw["timed_out"]:
        reason, detail = ExitReason.timeout, f"wall-clock limit of {limits.timeout_s:g}s"
    elif broken == "memory":
        reason, detail = ExitReason.memory, f"memory limit of {limits.memory_bytes} bytes (job)"
    elif broken == "cpu":
        reason, detail = ExitReason.timeout, f"CPU limit of {limits.cpu_s}s (job)"
    elif error is not None and error.type == "MemoryError":
        reason, detail = ExitReason.memory, f"address-space limit of {limits.memory_bytes} bytes"
    elif signal_number == signal.SIGXCPU or (
        signal_number == signal.SIGKILL and cpu_s >= limits.cpu_s
    ):
        reason, detail = ExitReason.timeout, f"CPU limit of {limits.cpu_s}s"
    elif signal_number in _NATIVE_ABORTS and any(m in stderr for m in _MEMORY_MARKERS):
        reason = ExitReason.memory
        detail = f"{_signal_name(signal_number)} after an allocation failure"
    elif exit_code == 0:
        reason = ExitReason.ok
    elif signal_number is not None:
        reason, detail = ExitReason.killed, f"ended by {_signal_name(signal_number)}"
    elif status == _RUNNER_STATUS_UNKNOWN:
        reason, detail = ExitReason.killed, "the job's init process died"
    else:
        reason, detail = ExitReason.error, f"exit status {exit_code}"
        if error is None:
            error = JobError(type="SystemExit", message=str(exit_code), traceback="")
        elif error.type != "SystemExit":
            detail = f"{error.type}: {error.message}"[:500]

    stdout_bytes, stderr_bytes = int(raw["stdout_bytes"]), int(raw["stderr_bytes"])
    return SandboxResult(
        reason=reason,
        detail=detail,
        error=error if reason in (ExitReason.error, ExitReason.memory) else None,
        exit_code=exit_code,
        stdout=stdout_raw.decode(errors="replace"),
        stderr=stderr,
        stdout_bytes=stdout_bytes,
        stderr_bytes=stderr_bytes,
        output_truncated=stdout_bytes > len(stdout_raw) or stderr_bytes > len(stderr_raw),
        files=files,
        workspace=workspace,
        wall_s=float(raw["wall_s"]),
        cpu_s=cpu_s,
        max_rss_kb=int(raw["max_rss_kb"]),
        limits_backend=raw.get("limits_backend", "rlimit"),
    )


def died_result(detail: str, workspace: Path, files: list[ProducedFile]) -> SandboxResult:
    """The result of a job whose fork server died under it."""
    return SandboxResult(
        reason=ExitReason.killed,
        detail=f"sandbox server died: {detail}",
        stdout="",
        stderr="",
        stdout_bytes=0,
        stderr_bytes=0,
        files=files,
        workspace=workspace,
        wall_s=0.0,
        cpu_s=0.0,
        max_rss_kb=0,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    # O_NOFOLLOW: the job may have swapped a file for a symlink to something it cannot read.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def workspace_files(workspace: Path) -> list[ProducedFile]:
    """Regular files under the workspace, symlinks neither followed nor listed."""
    found: list[ProducedFile] = []
    for directory, dirnames, filenames in os.walk(workspace, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            stat = path.lstat()
            if not path.is_file() or path.is_symlink():
                continue
            found.append(
                ProducedFile(
                    path=path.relative_to(workspace).as_posix(),
                    size=stat.st_size,
                    sha256=_sha256(path),
                )
            )
            if len(found) >= MAX_LISTED_FILES:
                return found
    return found
