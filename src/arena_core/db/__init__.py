"""Persistence: SQLite (WAL) through SQLModel, schema owned by Alembic migrations."""

from arena_core.db.engine import (
    SchemaOutdated,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    open_database,
    require_current,
    upgrade,
)
from arena_core.db.tables import (
    Artifact,
    ArtifactChunk,
    ArtifactLink,
    ConversationEvent,
    ConversationTurn,
    Job,
    Message,
    ProjectionCursor,
    Run,
)

__all__ = [
    "Artifact",
    "ArtifactChunk",
    "ArtifactLink",
    "ConversationEvent",
    "ConversationTurn",
    "Job",
    "Message",
    "ProjectionCursor",
    "Run",
    "SchemaOutdated",
    "alembic_config",
    "current_revision",
    "head_revision",
    "make_engine",
    "open_database",
    "require_current",
    "upgrade",
]
