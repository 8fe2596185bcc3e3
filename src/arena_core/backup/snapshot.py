"""A consistent copy of a live SQLite database, and a logical digest of its tables.

``snapshot`` uses SQLite's online backup API in a single step: in WAL mode it reads
one consistent state while the recorder keeps committing. ``logical_digest`` hashes
every table's rows in primary-key order, so two files with the same content (however
their pages are laid out) have the same digest.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class TableDigest(BaseModel):
    """Rows and content hash of one table."""

    rows: int
    sha256: str


def snapshot(source: Path, target: Path) -> None:
    """Copy ``source`` into a new file ``target`` (a consistent point in time)."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # pages=-1: one step, one read transaction, one consistent state
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal
        finally:
            dst.close()
    finally:
        src.close()


def _encode(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bytes):
        return b"B" + struct.pack(">Q", len(value)) + value
    if isinstance(value, int):
        return b"I" + str(value).encode() + b";"
    if isinstance(value, float):
        return b"F" + struct.pack(">d", value)
    text = str(value).encode()
    return b"T" + struct.pack(">Q", len(text)) + text


def _order(conn: sqlite3.Connection, table: str) -> str:
    keys = [
        row[1]
        for row in sorted(conn.execute(f'PRAGMA table_info("{table}")'), key=lambda r: r[5])
        if row[5]
    ]
    return ", ".join(f'"{k}"' for k in keys) if keys else "rowid"


def logical_digest(path: Path) -> dict[str, TableDigest]:
    """Every table (but SQLite's own) -> its row count and SHA-256 of its rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out: dict[str, TableDigest] = {}
        for name in names:
            digest = hashlib.sha256()
            rows = 0
            cursor = conn.execute(f'SELECT * FROM "{name}" ORDER BY {_order(conn, name)}')
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(b"".join(_encode(v) for v in row) + b"\n")
                rows += len(batch)
            out[name] = TableDigest(rows=rows, sha256=digest.hexdigest())
        return out
    finally:
        conn.close()


def integrity_check(path: Path) -> str:
    """``ok`` or SQLite's first complaint."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
