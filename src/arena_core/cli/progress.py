"""Progress bars of commands that work for more than a few seconds.

    with progress_bar(as_json) as bar:
        task = bar.add_task("solves", total=len(jobs))
        ...
        bar.advance(task)

Drawn on stderr, so stdout stays the result; off when stderr is not a terminal (a log,
a pipe, a test) or under ``--json`` (scripts read stdout and want nothing else).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


def progress_bar(as_json: bool = False, *, transient: bool = True) -> Progress:
    """A rich progress display on stderr, disabled for scripts."""
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
        disable=as_json or not console.is_terminal,
    )
