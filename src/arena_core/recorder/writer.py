"""Writes batches of rows in one transaction, folding them into the projections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from arena_core.db.projections import Projector
from arena_core.db.tables import messages
from arena_core.events import Envelope, EventRegistry, registry
from arena_core.recorder.feed import Delivered
from arena_core.recorder.rows import MessageRow, message_row

# The hot path bypasses SQLAlchemy's per-row parameter processing; values are stored
# exactly as the ORM stores them (naive UTC text for datetimes) so both read alike.
_INSERT_SQL = (
    f"INSERT OR IGNORE INTO messages ({', '.join(MessageRow._fields)}) "
    f"VALUES ({', '.join('?' for _ in MessageRow._fields)})"
)
_TS = MessageRow._fields.index("ts")
_STREAM_TS = MessageRow._fields.index("stream_ts")
_UTC_SUFFIX = "+00:00"


def db_time(value: datetime | None) -> str | None:
    """``value`` as the ORM stores a UTC datetime: ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    text = value.isoformat(" ", "microseconds")
    if len(text) == 26 or text.endswith(_UTC_SUFFIX):
        return text[:26]  # already UTC (or naive, taken as UTC)
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _values(row: MessageRow) -> tuple[Any, ...]:
    return (
        *row[:_TS], db_time(row.ts), row.schema_version, db_time(row.stream_ts),
        *row[_STREAM_TS + 1 :],
    )  # fmt: skip


def _seq(item: tuple[MessageRow, Envelope[Any] | None]) -> int:
    return item[0].seq


class LogWriter:
    """The only writer of the ``messages`` table."""

    def __init__(self, engine: Engine, workspace: Path | None = None) -> None:
        self.engine = engine
        self.workspace = workspace

    def last_seq(self) -> int:
        """Highest recorded stream sequence (0 for an empty log)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(messages.c.seq))).scalar() or 0)

    def write(self, batch: Sequence[tuple[MessageRow, Envelope[Any] | None]]) -> int:
        """Insert the rows (a sequence seen before is ignored) and update the projections.

        Everything commits together or not at all; returns the rows folded for the
        first time.
        """
        if not batch:
            return 0
        ordered = sorted(batch, key=_seq)
        with self.engine.begin() as conn:
            conn.exec_driver_sql(_INSERT_SQL, [_values(row) for row, _ in ordered])
            projector = Projector.open(conn, self.workspace)
            fresh = sum(projector.apply(row, env) for row, env in ordered)
            projector.flush()
        return fresh

    def write_deliveries(
        self, deliveries: Sequence[Delivered], events: EventRegistry = registry
    ) -> int:
        """Decode and ``write`` a batch of raw deliveries."""
        return self.write([message_row(d, events) for d in deliveries])
