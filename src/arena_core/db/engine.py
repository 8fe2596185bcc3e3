"""The SQLite engine (WAL) and schema upgrades through the packaged Alembic migrations."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

from arena_core.errors import ArenaError

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(ArenaError, RuntimeError):
    """The database file is older than this code: run ``arena db upgrade``."""


def make_engine(path: Path | str, *, create_dirs: bool = True) -> Engine:
    """An engine on a SQLite file in WAL mode (readers never block the recorder)."""
    path = Path(path)
    if create_dirs and str(path) != ":memory:":
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A new file is owner-only; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        # Only a new, empty file takes it: rows carry message bodies and artifact chunks,
        # and larger pages mean fewer B-tree splits and overflow pages per row.
        cur.execute("PRAGMA page_size=16384")
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across process crashes in WAL mode (only power loss can
        # lose the last commits), which is the failure the recorder has to survive.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def require_current(engine: Engine) -> None:
    """Raise ``SchemaOutdated`` unless the database is at the latest migration."""
    have = current_revision(engine)
    if have != head_revision():
        raise SchemaOutdated(
            f"database {engine.url.database} is at revision {have or 'none'}, "
            f"code expects {head_revision()}: run 'arena db upgrade'"
        )


def open_database(path: Path | str) -> Engine:
    """An engine on ``path`` with the schema upgraded to the latest migration.

    Processes opening the same new file at once (a recorder and a CLI) take turns on a
    lock file, so only one of them runs the migrations.
    """
    engine = make_engine(path)
    if current_revision(engine) != head_revision():
        lock_fd = os.open(f"{path}.migrate.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(lock_fd, "ab") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            if current_revision(engine) != head_revision():
                upgrade(engine)
                # The migrations leave megabytes of WAL that the first automatic
                # checkpoint (1000 pages) would only fold in much later: on a small or
                # nearly full disk that is the room the first recorded batches need.
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return engine
