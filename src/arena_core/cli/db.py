"""``arena db``: schema upgrades, projection rebuilds."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="The SQLite database: schema and projections.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command()
    def upgrade(revision: str = typer.Argument("head")) -> None:
        """Apply the schema migrations up to REVISION (default: the latest)."""
        from arena_core.db import current_revision, make_engine
        from arena_core.db import upgrade as run_upgrade
        from arena_core.settings import Settings

        settings = Settings()
        engine = make_engine(settings.database_path)
        run_upgrade(engine, revision)
        typer.echo(f"{settings.database_path}: revision {current_revision(engine)}")
        if revision == "head":
            from arena_core.prompts import load_packaged_defaults

            for prompt in load_packaged_defaults(engine):
                typer.echo(f"prompt {prompt.id} loaded")

    @db.command()
    def rebuild() -> None:
        """Drop the projections (runs, jobs, conversations) and rebuild them from the log."""
        from arena_core.db import open_database
        from arena_core.db.projections import rebuild as run_rebuild
        from arena_core.settings import Settings

        settings = Settings()
        folded = run_rebuild(open_database(settings.database_path), settings.workspace)
        typer.echo(f"rebuilt projections from {folded} messages")
