"""What can go wrong with a backup or a restore."""

from __future__ import annotations

from arena_core.errors import ArenaError


class BackupError(ArenaError, RuntimeError):
    """A backup (or access to the bucket) failed; the message says where and why."""


class RestoreRefused(BackupError):
    """The downloaded backup failed a check; the current database was not touched."""
