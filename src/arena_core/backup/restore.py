"""``restore``: download, verify, decompress, check, then swap in atomically.

Nothing touches the current database until every check passed: the object's SHA-256,
the snapshot's SHA-256, ``PRAGMA integrity_check`` and the logical digest of every
table. The swap checkpoints the current file, keeps it as ``<db>.before-restore``,
and renames the restored file into place (same directory, so ``rename`` is atomic).
Stop the recorder first: a restore replaces the file it writes.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from arena_core.backup.codec import decompress
from arena_core.backup.errors import BackupError, RestoreRefused
from arena_core.backup.manifest import Manifest
from arena_core.backup.snapshot import file_sha256, integrity_check, logical_digest
from arena_core.backup.store import Bucket
from arena_core.settings import Settings


def choose(bucket: Bucket, backup_id: str | None) -> Manifest:
    manifests = bucket.manifests()
    if not manifests:
        raise BackupError(f"bucket {bucket.name!r} has no backups under {bucket.prefix!r}")
    if backup_id is None:
        return manifests[-1]
    for manifest in manifests:
        if manifest.backup_id.startswith(backup_id):
            return manifest
    raise BackupError(f"no backup {backup_id!r} in bucket {bucket.name!r}")


def verify(manifest: Manifest, packed: Path, target: Path) -> None:
    """Every check of a downloaded backup; ``RestoreRefused`` naming the first that fails."""
    if file_sha256(packed) != manifest.object_sha256:
        raise RestoreRefused(f"backup {manifest.backup_id}: object SHA-256 does not match")
    try:
        decompress(manifest.codec, packed, target)
    except Exception as exc:  # any decoder error means the same: unusable
        raise RestoreRefused(f"backup {manifest.backup_id}: cannot decompress ({exc})") from None
    if file_sha256(target) != manifest.snapshot_sha256:
        raise RestoreRefused(f"backup {manifest.backup_id}: snapshot SHA-256 does not match")
    verdict = integrity_check(target)
    if verdict != "ok":
        raise RestoreRefused(f"backup {manifest.backup_id}: integrity_check says {verdict!r}")
    if logical_digest(target) != manifest.tables:
        raise RestoreRefused(f"backup {manifest.backup_id}: table digests differ from manifest")


def swap_in(restored: Path, current: Path) -> Path | None:
    """Put ``restored`` at ``current``; return where the previous file was kept."""
    kept = None
    if current.exists():
        conn = sqlite3.connect(current)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        kept = current.with_name(current.name + ".before-restore")
        os.replace(current, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    os.replace(restored, current)
    return kept


def restore(settings: Settings, backup_id: str | None = None) -> Manifest:
    """Restore a backup (the newest by default) over ``settings.database_path``."""
    bucket = Bucket(settings)
    bucket.check()
    manifest = choose(bucket, backup_id)
    current = settings.database_path
    current.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=current.parent, prefix=".arena-restore-") as tmp:
        packed = Path(tmp) / "object"
        bucket.download(manifest.object_key, packed)
        restored = Path(tmp) / "arena.db"
        verify(manifest, packed, restored)
        swap_in(restored, current)
    return manifest
