"""``arena runs``: the recorded runs as a table."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def runs(
        limit: int = typer.Option(50, "--limit", "-n", min=1),
        kind: str = typer.Option(None, "--kind", help="Only runs of this kind."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List recorded runs, most recent first."""
        from rich.console import Console
        from rich.table import Table

        from arena_core.db import open_database
        from arena_core.replay import list_runs
        from arena_core.settings import Settings

        found = list_runs(open_database(Settings().database_path), limit=limit, kind=kind)
        if as_json:
            typer.echo("[" + ",".join(r.model_dump_json() for r in found) + "]")
            return
        table = Table(title="runs")
        for col in ("run", "kind", "status", "started", "duration", "events", "tokens", "cost"):
            table.add_column(col)
        for r in found:
            table.add_row(
                r.run_id, r.kind, r.status, r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                f"{r.duration_s:.1f}s", str(r.events), str(r.tokens), f"${r.cost_usd:.4f}",
            )  # fmt: skip
        Console().print(table)
