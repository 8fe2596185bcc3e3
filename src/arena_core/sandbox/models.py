"""What a sandbox job is and what it gives back."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MiB = 1 << 20


class SandboxLimits(BaseModel):
    """Resource limits of one job.

    Time, CPU seconds and memory hold for the whole job (its cgroup, or the server's
    samples of its process tree on the ``rlimit`` backend); address space, file size,
    processes and open files are also capped per process by rlimits.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(default=60.0, gt=0)
    """Wall-clock time before the whole job is killed."""
    cpu_s: int = Field(default=60, ge=1)
    """CPU seconds of the whole job (and of each process: RLIMIT_CPU)."""
    cpus: float = Field(default=1.0, gt=0)
    """CPU cores the job may use at once (cgroup backend: ``cpu.max``)."""
    memory_bytes: int = Field(default=4096 * MiB, ge=64 * MiB)
    """Memory of the whole job, and address space of each process (RLIMIT_AS).
    Preloaded build123d takes ~1.2 GB of address space."""
    file_bytes: int = Field(default=256 * MiB, ge=1)
    """Largest file a process may write (RLIMIT_FSIZE)."""
    processes: int = Field(default=64, ge=2)
    """Processes the job may have at once, its own included (RLIMIT_NPROC)."""
    open_files: int = Field(default=256, ge=16)
    """Open file descriptors per process (RLIMIT_NOFILE)."""
    output_bytes: int = Field(default=1 * MiB, ge=0)
    """Bytes kept of stdout and of stderr each; the rest is counted and dropped."""
    tmp_bytes: int = Field(default=64 * MiB, ge=MiB)
    """Size of the job's private ``/tmp`` (a tmpfs)."""
    workspace_bytes: int = Field(default=512 * MiB, ge=MiB)
    """Disk quota of the workspace: writes beyond it fail with ENOSPC (isolated mode)."""


class SandboxJob(BaseModel):
    """Python code to run in a fresh isolated process, with its own workspace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    """Python source, run as ``__main__`` with the workspace as working directory."""
    inputs: dict[str, bytes] = Field(default_factory=dict)
    """Files written into the workspace before the run (relative path -> content)."""
    limits: SandboxLimits = Field(default_factory=SandboxLimits)
    """Resource limits."""
    workspace: Path | None = None
    """Workspace directory (created if missing); default: a fresh one under the sandbox root."""

    @field_validator("inputs")
    @classmethod
    def _inputs_stay_inside(cls, inputs: dict[str, bytes]) -> dict[str, bytes]:
        for name in inputs:
            parts = Path(name).parts
            if not parts or Path(name).is_absolute() or ".." in parts:
                raise ValueError(f"input path {name!r} must be relative and inside the workspace")
        return inputs


class ExitReason(StrEnum):
    """How a job ended."""

    ok = "ok"
    """The code ran to the end (or called ``sys.exit(0)``)."""
    timeout = "timeout"
    """The wall-clock timeout or the CPU-seconds limit was reached."""
    memory = "memory"
    """The job's memory or a process's address-space limit was reached."""
    killed = "killed"
    """A signal ended the job (a crash, a file-size limit hit by native code, ...)."""
    error = "error"
    """The code raised or exited with a non-zero status; see ``error``."""


class JobError(BaseModel):
    """The exception (or non-zero exit) that ended a job."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    """Exception class name, or ``SystemExit``."""
    message: str
    """``str(exception)``, truncated."""
    traceback: str
    """Formatted traceback (its last 16 KiB)."""


class ProducedFile(BaseModel):
    """A regular file found in the workspace after the job."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    """Path relative to the workspace, with ``/`` separators."""
    size: int = Field(ge=0)
    """Size in bytes."""
    sha256: str
    """Hex SHA-256 of the content."""


LimitsBackend = Literal["cgroup", "rlimit"]
"""How whole-job limits are enforced: a cgroup v2 leaf, or rlimits and sampling."""


class SandboxResult(BaseModel):
    """Everything a job left behind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: ExitReason
    """How the job ended."""
    detail: str = ""
    """Why, in words: the signal, the limit, the exit code."""
    error: JobError | None = None
    """The exception or exit status, when ``reason`` is ``error`` or ``memory``."""
    exit_code: int | None = None
    """Exit status of the code's process, or ``-signal`` when a signal ended it."""
    stdout: str
    """Standard output, first ``limits.output_bytes`` bytes, decoded leniently."""
    stderr: str
    """Standard error, first ``limits.output_bytes`` bytes, decoded leniently."""
    stdout_bytes: int = Field(ge=0)
    """Total bytes written to stdout (more than kept when truncated)."""
    stderr_bytes: int = Field(ge=0)
    """Total bytes written to stderr."""
    output_truncated: bool = False
    """True when stdout or stderr was longer than ``limits.output_bytes``."""
    files: list[ProducedFile]
    """Regular files in the workspace after the run, inputs included."""
    workspace: Path
    """The job's workspace directory."""
    wall_s: float = Field(ge=0)
    """Wall-clock seconds from fork to the end of the job."""
    cpu_s: float = Field(ge=0)
    """CPU seconds used by the job's processes."""
    max_rss_kb: int = Field(ge=0)
    """Peak memory in KiB: the largest process's, or the whole job's when sampled."""
    limits_backend: LimitsBackend = "rlimit"
    """How the whole-job limits were enforced."""

    @property
    def ok(self) -> bool:
        return self.reason is ExitReason.ok
