"""Idempotent projection writes: folding an event again (a redelivery, a rebuild) changes
nothing, so a row an event creates is inserted only if its key is not there yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert


def insert_once(conn: Connection, table: Table, **values: Any) -> None:
    """Insert the row ``values`` into ``table`` unless a row with its key exists."""
    conn.execute(insert(table).prefix_with("OR IGNORE").values(**values))
