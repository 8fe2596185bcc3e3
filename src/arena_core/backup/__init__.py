"""Backups of the recording: SQLite online backup, compression, S3, verified restore."""

from arena_core.backup.errors import BackupError, RestoreRefused
from arena_core.backup.manifest import Manifest
from arena_core.backup.restore import restore
from arena_core.backup.run import backup

__all__ = ["BackupError", "Manifest", "RestoreRefused", "backup", "restore"]
