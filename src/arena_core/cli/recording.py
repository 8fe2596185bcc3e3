"""The local recording as commands read it: opened from the settings, runs named by prefix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arena_core.cli.output import fail

if TYPE_CHECKING:
    from sqlalchemy import Engine


def open_recording() -> Engine:
    """The database under ``ARENA_HOME``, its schema upgraded to the latest migration."""
    from arena_core.db import open_database
    from arena_core.settings import Settings

    return open_database(Settings().database_path)


def named_run(engine: Engine, prefix: str) -> str:
    """The one run whose id starts with ``prefix``; else a one-line error and exit 2."""
    from arena_core.replay import AmbiguousRun, UnknownRun, resolve_run

    try:
        return resolve_run(engine, prefix)
    except (UnknownRun, AmbiguousRun) as exc:
        fail(str(exc))
