"""Keyset pages, newest first: list endpoints page by a stream sequence (``before``)."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from sqlalchemy import Connection, Row, Table, select

from arena_core.api.bodies import SAFE_INT


def before_param(what: str) -> Any:
    """The ``before`` query parameter: the ``what`` sequence to page from."""
    return Query(None, ge=1, le=SAFE_INT, description=f"{what} to page from.")


def newest_first(
    conn: Connection,
    table: Table,
    seq: str,
    *,
    limit: int,
    before: int | None,
    **equal: str | None,
) -> tuple[list[Row[Any]], int | None]:
    """Up to ``limit`` rows of ``table`` by ``seq`` descending, below ``before``, whose
    columns equal the given values (a ``None`` or empty value filters nothing), and the
    cursor of the next page (``None`` on the last one)."""
    column = table.c[seq]
    query = select(table).order_by(column.desc()).limit(limit)
    for name, value in equal.items():
        if value:
            query = query.where(table.c[name] == value)
    if before:
        query = query.where(column < before)
    rows = list(conn.execute(query).all())
    return rows, (getattr(rows[-1], seq) if len(rows) == limit else None)
