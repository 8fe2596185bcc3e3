"""Run untrusted Python in an isolated child process with limits and its own workspace.

    from arena_core.sandbox import Sandbox, SandboxJob

    sandbox = Sandbox(root=Path("workspace/sandbox"))
    result = await sandbox.run(SandboxJob(code="print(6 * 7)"))
    assert result.reason is ExitReason.ok and result.stdout == "42\\n"

Build one from settings with ``Sandbox.from_settings`` (or the container's ``sandbox``
provider); ``sandbox.py`` describes the modes, ``runtime.py`` the isolation.
"""

from arena_core.sandbox.errors import SandboxUnavailable, UnavailableReason
from arena_core.sandbox.models import (
    ExitReason,
    JobError,
    ProducedFile,
    SandboxJob,
    SandboxLimits,
    SandboxResult,
)
from arena_core.sandbox.sandbox import Sandbox, remove_workspace

__all__ = [
    "ExitReason",
    "JobError",
    "ProducedFile",
    "Sandbox",
    "SandboxJob",
    "SandboxLimits",
    "SandboxResult",
    "SandboxUnavailable",
    "UnavailableReason",
    "remove_workspace",
]
