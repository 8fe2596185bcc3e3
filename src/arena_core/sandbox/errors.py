"""Why the sandbox cannot run jobs at all (as opposed to a job that failed)."""

from __future__ import annotations

from enum import StrEnum

from arena_core.errors import ArenaError


class UnavailableReason(StrEnum):
    """Named causes of an unusable sandbox."""

    isolation_unavailable = "isolation_unavailable"
    """User/mount/network namespaces cannot be created here (set ``ARENA_SANDBOX``)."""
    podman_not_found = "podman_not_found"
    """The podman backend was chosen but no ``podman`` executable is on PATH."""
    podman_failed = "podman_failed"
    """podman is installed but could not run the sandbox image."""
    server_failed = "server_failed"
    """The fork server exited or answered garbage while starting."""
    closed = "closed"
    """The sandbox was closed."""


class SandboxUnavailable(ArenaError, RuntimeError):
    """The sandbox cannot run jobs; ``reason`` says why, ``detail`` how to fix it."""

    def __init__(self, reason: UnavailableReason, detail: str) -> None:
        super().__init__(f"sandbox unavailable ({reason.value}): {detail}")
        self.reason = reason
        self.detail = detail
