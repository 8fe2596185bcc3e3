"""Alembic environment: runs on the engine handed over by ``arena_core.db.engine``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

# Importing the table modules registers every table on SQLModel.metadata, which
# autogenerate and `alembic check` compare with the migrations.
import arena_core.db.access
import arena_core.db.benchmarks
import arena_core.db.tables
import arena_core.db.team
import arena_core.profiles.tables
import arena_core.prompts.tables  # noqa: F401

config = context.config
engine = config.attributes.get("engine") or create_engine(
    str(config.get_main_option("sqlalchemy.url"))
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
