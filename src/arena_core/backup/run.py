"""``backup``: snapshot the live recording, compress, digest, upload, keep the last N."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from arena_core.backup.codec import DEFAULT_CODEC, SUFFIX, Codec, compress
from arena_core.backup.errors import BackupError
from arena_core.backup.manifest import Manifest
from arena_core.backup.snapshot import file_sha256, logical_digest, snapshot
from arena_core.backup.store import Bucket
from arena_core.ids import new_id
from arena_core.settings import Settings

log = logging.getLogger("arena.backup")

LEVELS = {Codec.zstd19: 19, Codec.zstd22_long: 22, Codec.xz6: 6}


def _facts(path: Path) -> tuple[str | None, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            revision = None
        try:
            seq = conn.execute("SELECT max(seq) FROM messages").fetchone()[0]
        except sqlite3.OperationalError:
            seq = None
        return (revision[0] if revision else None), int(seq or 0)
    finally:
        conn.close()


def idempotency_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def find_by_key(bucket: Bucket, key: str) -> Manifest | None:
    """The backup an ``Idempotency-Key`` already produced, if any."""
    wanted = idempotency_digest(key)
    for manifest in bucket.manifests():
        if manifest.idempotency_key_sha256 == wanted:
            return manifest
    return None


def backup(
    settings: Settings,
    *,
    codec: Codec = DEFAULT_CODEC,
    idempotency_key: str | None = None,
    work_dir: Path | None = None,
) -> Manifest:
    """Back up ``settings.database_path`` to the bucket; return the uploaded manifest."""
    source = settings.database_path
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    bucket = Bucket(settings)
    bucket.check()
    if idempotency_key is not None and (done := find_by_key(bucket, idempotency_key)):
        return done
    backup_id = new_id()
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="arena-backup-") as tmp:
        snap = Path(tmp) / "arena.db"
        t0 = time.perf_counter()
        snapshot(source, snap)
        snapshot_s = time.perf_counter() - t0
        tables = logical_digest(snap)
        revision, seq = _facts(snap)
        packed = Path(tmp) / ("arena.db" + SUFFIX[codec])
        t1 = time.perf_counter()
        compress(codec, snap, packed, threads=-1)
        compress_s = time.perf_counter() - t1
        snap_bytes, obj_bytes = snap.stat().st_size, packed.stat().st_size
        object_key = bucket.key(f"{backup_id}.db{SUFFIX[codec]}")
        t2 = time.perf_counter()
        bucket.upload(packed, object_key)
        upload_s = time.perf_counter() - t2
        manifest = Manifest(
            backup_id=backup_id, created_at=datetime.now(UTC), object_key=object_key,
            codec=codec, level=LEVELS[codec], snapshot_bytes=snap_bytes,
            snapshot_sha256=file_sha256(snap), object_bytes=obj_bytes,
            object_sha256=file_sha256(packed), ratio=round(snap_bytes / max(obj_bytes, 1), 3),
            snapshot_s=round(snapshot_s, 3), compress_s=round(compress_s, 3),
            upload_s=round(upload_s, 3), schema_revision=revision, recorded_seq=seq,
            tables=tables,
            idempotency_key_sha256=idempotency_digest(idempotency_key) if idempotency_key else None,
        )  # fmt: skip
    bucket.put_manifest(manifest)
    prune(bucket, settings.backup_keep)
    log.info("backup %s: %d -> %d bytes", backup_id, snap_bytes, obj_bytes)
    return manifest


def prune(bucket: Bucket, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` backups; return the ids deleted."""
    manifests = bucket.manifests()
    old = manifests[:-keep] if len(manifests) > keep else []
    for manifest in old:
        bucket.delete(manifest)
    return [m.backup_id for m in old]
