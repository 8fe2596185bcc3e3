"""Writes batches of rows in one transaction, folding them into the projections."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

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
log = logging.getLogger("arena.recorder")
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


DUPLICATE_ID = "duplicate_id"
"""``error_reason`` of a message whose envelope id was recorded before at another
sequence (a publish repeated after JetStream's duplicate window): its row is kept, so
the log has no gap, but it is not an event again."""


class LogWriter:
    """The only writer of the ``messages`` table."""

    def __init__(self, engine: Engine, workspace: Path | None = None) -> None:
        self.engine = engine
        self.workspace = workspace
        self.duplicates = 0
        """Messages recorded as repeats of an envelope id seen before (since start)."""

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
            ordered = self._mark_duplicates(conn, ordered)
            conn.exec_driver_sql(_INSERT_SQL, [_values(row) for row, _ in ordered])
            projector = Projector.open(conn, self.workspace)
            fresh = sum(projector.apply(row, env) for row, env in ordered)
            projector.flush()
        return fresh

    def _mark_duplicates(
        self, conn: Connection, ordered: list[tuple[MessageRow, Envelope[Any] | None]]
    ) -> list[tuple[MessageRow, Envelope[Any] | None]]:
        """Rows whose envelope id is already recorded at another sequence: flagged, unfolded."""
        ids = list({row.msg_id for row, env in ordered if env is not None and row.msg_id})
        first: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(messages.c.msg_id, func.min(messages.c.seq)).where(
                messages.c.msg_id.in_(chunk), messages.c.valid.is_(True)
            )
            for msg_id, seq in conn.execute(query.group_by(messages.c.msg_id)):
                first[msg_id] = int(seq)
        marked = []
        for row, env in ordered:
            seen = first.setdefault(row.msg_id, row.seq) if env is not None and row.msg_id else None
            if seen is not None and seen != row.seq:
                self.duplicates += 1
                log.warning(
                    "event %s (seq %d) was recorded before at seq %d", row.msg_id, row.seq, seen
                )
                detail = f"envelope id {row.msg_id} was recorded at seq {seen}"
                row = row._replace(valid=False, error_reason=DUPLICATE_ID, error_detail=detail)
                env = None
            marked.append((row, env))
        return marked

    def write_deliveries(
        self, deliveries: Sequence[Delivered], events: EventRegistry = registry
    ) -> int:
        """Decode and ``write`` a batch of raw deliveries."""
        return self.write([message_row(d, events) for d in deliveries])
