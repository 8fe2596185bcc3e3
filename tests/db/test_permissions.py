"""The database holds every message body: only its owner may read it."""

from __future__ import annotations

from pathlib import Path

from arena_core.db.engine import open_database


def test_a_new_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "home" / "arena.db"
    engine = open_database(path)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        written = [p for p in path.parent.iterdir() if p.name.startswith("arena.db")]
        modes = {p.name: p.stat().st_mode & 0o777 for p in written}
    engine.dispose()

    assert modes["arena.db"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
    assert path.parent.stat().st_mode & 0o077 == 0
