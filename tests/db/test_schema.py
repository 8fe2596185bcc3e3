"""The schema is owned by the Alembic migrations shipped in the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from arena_core.db import alembic_config, current_revision, head_revision, make_engine, upgrade


def test_upgrade_from_an_empty_file_creates_every_table_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "arena.db")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"messages", "runs", "jobs", "conversation_turns", "artifacts"} <= tables
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_models_and_migrations_have_no_drift(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "arena.db")
    upgrade(engine)
    command.check(alembic_config(engine))  # raises when autogenerate would add anything


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "arena.db")
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
