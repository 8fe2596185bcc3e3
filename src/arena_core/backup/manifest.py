"""The manifest uploaded beside each backup object: what it is and how to check it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from arena_core.backup.codec import Codec
from arena_core.backup.snapshot import TableDigest


class Manifest(BaseModel):
    """One backup: its object, its digests, and what compressing it cost."""

    backup_id: str
    """Time-ordered id, also the object's name."""
    created_at: datetime
    object_key: str
    """Key of the compressed snapshot in the bucket."""
    codec: Codec
    """Compression method and level."""
    level: int
    """Compression level."""
    snapshot_bytes: int = Field(ge=0)
    snapshot_sha256: str
    """SHA-256 of the uncompressed snapshot file."""
    object_bytes: int = Field(ge=0)
    object_sha256: str
    """SHA-256 of the uploaded (compressed) object."""
    ratio: float
    """``snapshot_bytes / object_bytes``."""
    snapshot_s: float
    """Seconds the online backup took."""
    compress_s: float
    """Seconds compression took."""
    upload_s: float
    """Seconds the upload took."""
    schema_revision: str | None
    """Alembic revision of the snapshot."""
    recorded_seq: int
    """Highest stream sequence in the snapshot."""
    tables: dict[str, TableDigest]
    """Logical digest of every table."""
    idempotency_key_sha256: str | None = None
    """SHA-256 of the ``Idempotency-Key`` that asked for it, if any."""
