"""Artifacts: put bytes on the bus in chunks, read them back from the store by hash.

Producers anywhere call ``publish_artifact``: the bytes travel as ``artifact.stored``
chunks sized to the server's ``max_payload`` (1 MB unless the server raises it), and
the recorder assembles them into the ``artifacts`` table and mirrors them under
``workspace/<run_id>/``. Events then carry the returned ``ArtifactRef``, not the bytes.
``ArtifactStore`` reads (and, on the recorder's host, writes) the store directly.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from arena_core.bus import Bus
from arena_core.db.projections import mirror
from arena_core.db.tables import artifact_links, artifacts
from arena_core.errors import ArenaError
from arena_core.events import AgentRef, Envelope
from arena_core.events.artifacts import ArtifactRef, ArtifactStored

ENVELOPE_ALLOWANCE = 4096
"""Bytes of a chunk message reserved for the envelope around the base64 data."""


class ArtifactNotFound(ArenaError, LookupError):
    """No artifact with that hash is in the store."""


class ArtifactTooLarge(ArenaError, ValueError):
    """An artifact exceeds the configured maximum size."""


def make_ref(data: bytes, *, name: str, media_type: str) -> ArtifactRef:
    """The reference of ``data`` under ``name``."""
    return ArtifactRef(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type=media_type, name=name
    )


def chunk_size(max_payload: int) -> int:
    """Raw bytes per chunk so that base64 plus the envelope fits in ``max_payload``."""
    usable = (max_payload - ENVELOPE_ALLOWANCE) * 3 // 4
    if usable < 3:
        raise ValueError(f"max_payload {max_payload} is too small for artifact chunks")
    return usable - usable % 3


async def publish_artifact(
    bus: Bus,
    data: bytes,
    *,
    run_id: str,
    name: str,
    media_type: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    agent: AgentRef | None = None,
    max_bytes: int = 256 * 1024 * 1024,
) -> ArtifactRef:
    """Send ``data`` to the recorder's store; return the reference events should carry."""
    if len(data) > max_bytes:
        raise ArtifactTooLarge(f"{name}: {len(data)} bytes > {max_bytes}")
    ref = make_ref(data, name=name, media_type=media_type)
    size = chunk_size(bus.nc.max_payload)
    count = max(1, -(-len(data) // size))
    envelopes: list[Envelope[Any]] = []
    for index in range(count):
        piece = data[index * size : (index + 1) * size]
        envelopes.append(
            Envelope.new(
                ArtifactStored(
                    ref=ref, chunk_index=index, chunk_count=count,
                    data_b64=base64.b64encode(piece).decode(),
                ),
                run_id=run_id, correlation_id=correlation_id, causation_id=causation_id,
                agent=agent,
            )
        )  # fmt: skip
    await bus.publish_many(envelopes)
    return ref


class ArtifactStore:
    """The content-addressed store in SQLite, mirrored under ``workspace/<run_id>/``."""

    def __init__(self, engine: Engine, workspace: Path | None = None) -> None:
        self.engine = engine
        self.workspace = workspace

    def get(self, sha256: str) -> bytes:
        """The bytes of an artifact; ``ArtifactNotFound`` when it is not (yet) stored."""
        with self.engine.connect() as conn:
            data = conn.execute(
                select(artifacts.c.data).where(artifacts.c.sha256 == sha256)
            ).scalar()
        if data is None:
            raise ArtifactNotFound(sha256)
        return bytes(data)

    def __contains__(self, sha256: object) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(artifacts.c.size).where(artifacts.c.sha256 == sha256)).first()
                is not None
            )

    def files(self, run_id: str) -> list[tuple[str, str]]:
        """``(name, sha256)`` of every artifact of a run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(artifact_links.c.name, artifact_links.c.sha256)
                .where(artifact_links.c.run_id == run_id)
                .order_by(artifact_links.c.name)
            ).all()
        return [(r.name, r.sha256) for r in rows]

    def put(self, data: bytes, *, run_id: str, name: str, media_type: str) -> ArtifactRef:
        """Store ``data`` directly (on the database's host); idempotent by hash."""
        ref = make_ref(data, name=name, media_type=media_type)
        with self.engine.begin() as conn:
            conn.execute(
                insert(artifacts)
                .prefix_with("OR IGNORE")
                .values(sha256=ref.sha256, size=ref.size, media_type=media_type, data=data)
            )
            conn.execute(
                insert(artifact_links)
                .prefix_with("OR IGNORE")
                .values(run_id=run_id, name=name, sha256=ref.sha256)
            )
        if self.workspace is not None:
            mirror(self.workspace, run_id, name, data)
        return ref
