"""Writing an export: JSON lines to a stream, or atomically to a file."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import orjson
from sqlalchemy import Engine

from arena_core.errors import ArenaError
from arena_core.export.filters import ExportFilter, ExportSummary, Progress
from arena_core.export.formats import FORMATS, ExportFormat


class ExportPathError(ArenaError, OSError):
    """The output file cannot be written (no such directory, no permission, a directory)."""


def _quiet(_n: int) -> None:
    pass


def count(engine: Engine, fmt: ExportFormat, flt: ExportFilter = ExportFilter()) -> int:
    """How many units (conversations, reviews, events) the export will look at."""
    return FORMATS[fmt].count(engine, flt)


def export(
    engine: Engine,
    fmt: ExportFormat,
    out: IO[bytes],
    flt: ExportFilter = ExportFilter(),
    progress: Progress = _quiet,
) -> ExportSummary:
    """Write ``fmt`` rows as JSON lines to ``out``; return what was written and left out."""
    summary = ExportSummary()
    for row in FORMATS[fmt].rows(engine, flt, summary, progress):
        out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
        summary.rows += 1
    return summary


def export_file(
    engine: Engine,
    fmt: ExportFormat,
    path: Path,
    flt: ExportFilter = ExportFilter(),
    progress: Progress = _quiet,
) -> ExportSummary:
    """``export`` into ``path``, written atomically: a partial file never appears, and a
    path that cannot be written raises ``ExportPathError`` leaving nothing behind."""
    tmp = path.with_name(path.name + ".part")
    blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise ExportPathError(f"cannot write {path}: {blocked} is not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(tmp, "wb")  # noqa: SIM115 - closed below, removed on any failure
    except OSError as exc:
        raise ExportPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with fh:
            summary = export(engine, fmt, fh, flt, progress)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary
