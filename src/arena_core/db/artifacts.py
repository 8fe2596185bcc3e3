"""Reading the content-addressed artifact store (the recorder fills it from the bus)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from arena_core.db.tables import artifact_links, artifacts
from arena_core.errors import ArenaError


class ArtifactNotFound(ArenaError, LookupError):
    """No artifact with that hash is in the store."""


class ArtifactStore:
    """The artifacts recorded in SQLite, by hash and by run."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
