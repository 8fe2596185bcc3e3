"""``arena export``: training datasets from the recording."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        fmt: str = typer.Option(..., "--format", "-f", help="sft-openai, sft-trl, "
                                "sft-anthropic, grpo, preferences or events."),
        out: Path = typer.Option(..., "--out", "-o", help="JSON-lines file to write."),
        role: str = typer.Option(None, "--role", help="Only this agent role."),
        outcome: str = typer.Option(None, "--outcome", help="success or failure."),
        since: datetime = typer.Option(None, "--since", help="Only from this time (UTC)."),
        run: str = typer.Option(None, "--run", help="Only this run (id or prefix)."),
    ) -> None:  # fmt: skip
        """Stream the recording into a dataset file (constant memory, with progress)."""
        from datetime import UTC

        from rich.progress import Progress

        from arena_core.db import open_database
        from arena_core.export import ExportFilter, ExportFormat, candidates, export_file
        from arena_core.replay import AmbiguousRun, UnknownRun, resolve_run
        from arena_core.settings import Settings

        try:
            chosen = ExportFormat(fmt)
        except ValueError:
            formats = ", ".join(f.value for f in ExportFormat)
            raise typer.BadParameter(f"unknown format {fmt!r}; one of {formats}") from None
        if outcome not in (None, "success", "failure"):
            raise typer.BadParameter("--outcome is success or failure")
        engine = open_database(Settings().database_path)
        run_id = None
        if run:
            try:
                run_id = resolve_run(engine, run)
            except (UnknownRun, AmbiguousRun) as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        flt = ExportFilter(role=role, outcome=outcome, since=since, run_id=run_id)  # type: ignore[arg-type]
        with Progress(transient=True) as progress:
            task = progress.add_task(
                f"export {chosen.value}", total=candidates(engine, chosen, flt)
            )
            summary = export_file(engine, chosen, out, flt, lambda n: progress.advance(task, n))
        typer.echo(f"{summary.rows} rows -> {out} ({summary.skipped} skipped)")
        for issue in summary.issues[:20]:
            typer.echo(f"  skipped: {issue}", err=True)
