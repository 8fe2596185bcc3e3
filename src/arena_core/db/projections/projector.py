"""Folds recorded messages into every registered projection, live or from the log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, insert, select, update

from arena_core.db.projections.base import Projection, RecordedMessage
from arena_core.db.projections.registry import PROJECTIONS, Projections
from arena_core.db.tables import cursors, messages
from arena_core.events import DecodeError, Envelope, decode

CURSOR = "core"
"""Name of the cursor row shared by every projection: the last sequence folded."""


class Projector:
    """Folds messages into the projections within one open transaction.

    The recorder opens one per batch and calls ``apply`` for each message in sequence
    order, then ``flush``; ``rebuild`` does the same over the whole log. Both paths run
    the same code in the same order, so they produce the same rows.
    """

    def __init__(
        self,
        conn: Connection,
        workspace: Path | None = None,
        last_seq: int = 0,
        projections: Projections = PROJECTIONS,
    ) -> None:
        self.conn = conn
        self.last_seq = last_seq
        self.projections = projections
        self._folds: list[Projection] = [kind(conn, workspace) for kind in projections.kinds]
        self._seers = [p for p in self._folds if p.every_message]

    @classmethod
    def open(cls, conn: Connection, workspace: Path | None = None) -> Projector:
        """A projector that continues after the stored cursor."""
        seq = conn.execute(select(cursors.c.last_seq).where(cursors.c.name == CURSOR)).scalar()
        return cls(conn, workspace, int(seq or 0))

    def apply(self, row: RecordedMessage, envelope: Envelope[Any] | None) -> bool:
        """Fold one message (a ``messages`` row and its decoded envelope, if any).

        Returns False for a message at or below the cursor (already applied).
        """
        seq = int(row.seq)
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        for projection in self._seers:
            projection.see(seq, row)
        if envelope is not None:
            folds = self._folds
            for i in self.projections.route(type(envelope.payload)):
                folds[i].apply(seq, envelope)
        return True

    def flush(self) -> None:
        """Write what the projections gathered, in registration order; advance the cursor."""
        for projection in self._folds:
            projection.flush()
        cursor = self.conn.execute(
            update(cursors).where(cursors.c.name == CURSOR).values(last_seq=self.last_seq)
        )
        if cursor.rowcount == 0:
            self.conn.execute(insert(cursors).values(name=CURSOR, last_seq=self.last_seq))


def as_recorded(envelope: Envelope[Any]) -> Envelope[Any]:
    """The envelope as it is recorded and projected: a timestamp without offset is UTC."""
    if envelope.ts.tzinfo is None:
        return envelope.model_copy(update={"ts": envelope.ts.replace(tzinfo=UTC)})
    return envelope


def decode_row(row: Any) -> Envelope[Any] | None:
    """The envelope of a stored message, or None when it does not decode."""
    if not row.valid:
        return None
    try:
        return as_recorded(decode(row.subject, row.body, orjson.loads(row.headers)))
    except DecodeError:
        return None


def rebuild(
    engine: Engine,
    workspace: Path | None = None,
    *,
    chunk: int = 2000,
    projections: Projections = PROJECTIONS,
) -> int:
    """Empty the projections' tables and fold the whole log again; return messages folded."""
    folded = 0
    with engine.begin() as conn:
        for table in projections.tables:
            conn.execute(delete(table))
        conn.execute(delete(cursors).where(cursors.c.name == CURSOR))
        projector = Projector(conn, workspace, 0, projections)
        for rows in _rows_in(conn, chunk):
            for row in rows:
                projector.apply(row, decode_row(row))
                folded += 1
            projector.flush()
    return folded


def _rows_in(conn: Connection, chunk: int) -> Iterator[list[Any]]:
    last = 0
    while True:
        rows = conn.execute(
            select(messages).where(messages.c.seq > last).order_by(messages.c.seq).limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].seq
        yield list(rows)
