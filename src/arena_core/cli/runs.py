"""``arena runs``: the recorded runs as a table."""

from __future__ import annotations

import typer

from arena_core.cli.output import LIST_JSON, fail
from arena_core.cli.recording import open_recording

EXAMPLES = """
Examples:

    arena runs                      # the 50 most recent runs

    arena runs --kind solve -n 5    # the last five solve runs

    arena runs --json | jq .run_id  # one JSON object per line
"""

COLUMNS = ("run", "kind", "status", "started", "duration", "events", "tokens", "cost")
DROPPED_FIRST = ("cost", "tokens", "started", "duration", "events")
"""Columns left out, in this order, when the terminal is too narrow for whole ids."""


def register(app: typer.Typer) -> None:
    @app.command(epilog=EXAMPLES)
    def runs(
        limit: int = typer.Option(50, "--limit", "-n", min=1, help="How many runs."),
        kind: str = typer.Option(None, "--kind", help="Only runs of this kind."),
        as_json: bool = LIST_JSON,
    ) -> None:
        """List recorded runs, most recent first (ids are never cut)."""

        from rich.table import Table
        from sqlalchemy import select

        from arena_core.cli.output import stdout_console
        from arena_core.db.tables import runs as runs_table
        from arena_core.replay import list_runs

        engine = open_recording()
        found = list_runs(engine, limit=limit, kind=kind)
        if kind and not found:
            with engine.connect() as conn:
                kinds = sorted(set(conn.execute(select(runs_table.c.kind)).scalars()))
            fail(f"no runs of kind {kind!r}; recorded kinds: {', '.join(kinds) or 'none'}")
        if as_json:
            for r in found:
                typer.echo(r.model_dump_json())
            return
        console = stdout_console()
        rows = [
            {
                "run": r.run_id, "kind": r.kind, "status": r.status,
                "started": r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                "duration": f"{r.duration_s:.1f}s", "events": str(r.events),
                "tokens": str(r.tokens), "cost": f"${r.cost_usd:.4f}",
            }
            for r in found
        ]  # fmt: skip
        columns = list(COLUMNS)

        def width() -> int:
            return sum(max([len(c)] + [len(row[c]) for row in rows]) + 3 for c in columns) + 1

        for dropped in DROPPED_FIRST:
            if width() <= console.width:
                break
            columns.remove(dropped)
        table = Table(title="runs")
        for col in columns:
            if col == "run":
                table.add_column(col, no_wrap=True, min_width=max((len(r.run_id) for r in found),
                                                                   default=3))  # fmt: skip
            else:
                table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*(row[c] for c in columns))
        console.print(table)
