"""Output for scripts, one convention for every command.

With ``--json`` a command that lists things prints JSON lines (one object per line, one
line per item) and a command that reports one result prints one JSON object on one
line; stdout then holds nothing else (progress and notes go to stderr).

    @app.command()
    def tag(..., as_json: bool = RESULT_JSON) -> None:
        ...
        if as_json:
            print_json({"role": role, "tag": name, "id": prompt_id})
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import orjson
import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

LIST_JSON: Any = typer.Option(False, "--json", help="JSON lines: one object per item.")
"""The ``--json`` option of a command that lists things."""
RESULT_JSON: Any = typer.Option(False, "--json", help="One JSON object: the result.")
"""The ``--json`` option of a command that reports one result."""


def print_json(value: BaseModel | dict[str, Any]) -> None:
    """One JSON object on one line of stdout."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(), color=False)
    else:
        typer.echo(orjson.dumps(value, default=str).decode(), color=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """End the command: ``message`` on stderr, exit ``code`` (2: bad usage or input)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def figure(x: float | None) -> str:
    """A measured figure in a table cell: two decimals, ``-`` when there is none."""
    return "-" if x is None else f"{x:.2f}"


def stdout_console() -> Console:
    """Where tables go: as wide as the terminal, or 150 columns into a pipe or a file
    (``COLUMNS`` overrides), so a saved table reads whole instead of folded to 80."""
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=150 if piped else None)


def whole_ids(table: Table, *headers: str) -> Table:
    """Ids are never cut: the ``headers`` columns never wrap and are as wide as their
    longest cell, so a narrow terminal folds the others."""
    for column in table.columns:
        if column.header in headers:
            column.no_wrap = True
            column.min_width = max([len(str(column.header)), *(len(str(c)) for c in column.cells)])
    for column in table.columns:
        if column.header not in headers:
            column.overflow = "fold"
    return table
