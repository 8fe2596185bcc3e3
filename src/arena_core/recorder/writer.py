"""Writes batches of rows in one transaction, folding them into the projections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from arena_core.db.projections import Projector
from arena_core.db.tables import messages
from arena_core.events import Envelope
from arena_core.recorder.rows import Row

_COLUMNS = [c.name for c in messages.columns]
_TIMES = frozenset({"ts", "stream_ts"})
# The hot path bypasses SQLAlchemy's per-row parameter processing; values are stored
# exactly as the ORM stores them (naive UTC text for datetimes) so both read alike.
_INSERT_SQL = (
    f"INSERT OR IGNORE INTO messages ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


def _db_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _values(row: Row) -> tuple[Any, ...]:
    return tuple(_db_time(row[c]) if c in _TIMES else row[c] for c in _COLUMNS)


class LogWriter:
    """The only writer of the ``messages`` table."""

    def __init__(self, engine: Engine, workspace: Path | None = None) -> None:
        self.engine = engine
        self.workspace = workspace

    def last_seq(self) -> int:
        """Highest recorded stream sequence (0 for an empty log)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(messages.c.seq))).scalar() or 0)

    def write(self, batch: Sequence[tuple[Row, Envelope[Any] | None]]) -> int:
        """Insert the rows (a sequence seen before is ignored) and update the projections.

        Everything commits together or not at all; returns the rows folded for the
        first time.
        """
        if not batch:
            return 0
        ordered = sorted(batch, key=lambda item: item[0]["seq"])
        with self.engine.begin() as conn:
            conn.exec_driver_sql(_INSERT_SQL, [_values(row) for row, _ in ordered])
            projector = Projector.open(conn, self.workspace)
            fresh = sum(projector.apply(row, env) for row, env in ordered)
            projector.flush()
        return fresh
