"""Artifacts: ``artifact.stored`` chunks assembled, checked and stored by content hash."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import delete, func, select

from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.db.tables import artifact_chunks, artifact_links, artifacts
from arena_core.events import Envelope
from arena_core.events.artifacts import ArtifactStored


class ArtifactsProjection(Projection):
    """``artifacts`` and ``artifact_links``, mirrored under the workspace.

    It owns no table ``rebuild`` empties: rows are content-addressed, and the recorder's
    host also stores artifacts directly, so they are kept across rebuilds.
    """

    name = "artifacts"
    events = (ArtifactStored,)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if not isinstance(p, ArtifactStored):
            return
        ref = p.ref
        data = base64.b64decode(p.data_b64)
        if p.chunk_count > 1:
            insert_once(
                self.conn, artifact_chunks, sha256=ref.sha256, chunk_index=p.chunk_index,
                chunk_count=p.chunk_count, data=data,
            )  # fmt: skip
            have = self.conn.execute(
                select(func.count()).where(artifact_chunks.c.sha256 == ref.sha256)
            ).scalar_one()
            if have < p.chunk_count:
                return
            pieces = self.conn.execute(
                select(artifact_chunks.c.data)
                .where(artifact_chunks.c.sha256 == ref.sha256)
                .order_by(artifact_chunks.c.chunk_index)
            ).scalars()
            data = b"".join(pieces)
            self.conn.execute(delete(artifact_chunks).where(artifact_chunks.c.sha256 == ref.sha256))
        if hashlib.sha256(data).hexdigest() != ref.sha256 or len(data) != ref.size:
            return  # a corrupt artifact is kept only in the log, never in the store
        insert_once(
            self.conn, artifacts, sha256=ref.sha256, size=ref.size, media_type=ref.media_type,
            data=data, first_seq=seq,
        )  # fmt: skip
        insert_once(self.conn, artifact_links, run_id=env.run_id, name=ref.name, sha256=ref.sha256)
        if self.workspace is not None:
            mirror(self.workspace, env.run_id, ref.name, data)


def mirror(workspace: Path, run_id: str, name: str, data: bytes) -> Path | None:
    """Write an artifact to ``<workspace>/<run_id>/<name>`` unless the name escapes it."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or "/" in run_id or run_id in ("", ".", ".."):
        return None
    path = workspace / run_id / rel
    if path.is_file() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
