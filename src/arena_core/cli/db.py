"""``arena db``: schema upgrades, projection rebuilds."""

from __future__ import annotations

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, print_json


def register(app: typer.Typer) -> None:
    db = typer.Typer(
        help="The SQLite database: schema and projections.",
        no_args_is_help=True,
        epilog=examples("arena db upgrade", "arena db rebuild"),
    )
    app.add_typer(db, name="db")

    @db.command(
        epilog=examples(
            "arena db upgrade                          # to the newest schema",
        )
    )
    def upgrade(revision: str = typer.Argument("head"), as_json: bool = RESULT_JSON) -> None:
        """Apply the schema migrations up to REVISION (default: the latest)."""
        from arena_core.db import current_revision, make_engine
        from arena_core.db import upgrade as run_upgrade
        from arena_core.settings import Settings

        settings = Settings()
        engine = make_engine(settings.database_path)
        run_upgrade(engine, revision)
        now = current_revision(engine)
        if as_json:
            print_json({"database": str(settings.database_path), "revision": now})
        else:
            typer.echo(f"{settings.database_path}: revision {now}")

    @db.command(
        epilog=examples(
            "arena db rebuild                          # every table again from the log",
        )
    )
    def rebuild(as_json: bool = RESULT_JSON) -> None:
        """Drop the projections (runs, jobs, conversations, plans, skills, prompts) and
        rebuild them from the log; with ARENA_NATS_URL set, also the shared state on NATS
        (otherwise the recorder rewrites it when it starts)."""
        import asyncio

        from arena_core.db import open_database
        from arena_core.db.projections import rebuild as run_rebuild
        from arena_core.settings import Settings

        settings = Settings()
        engine = open_database(settings.database_path)
        folded = run_rebuild(engine, settings.workspace)
        keys = asyncio.run(_sync_state(settings, engine)) if settings.nats_url else None
        if as_json:
            print_json({"messages": folded, "state_keys": keys})
            return
        typer.echo(f"rebuilt projections from {folded} messages")
        if keys is not None:
            typer.echo(f"shared state on NATS rewritten ({keys} keys)")


async def _sync_state(settings: object, engine: object) -> int:
    from sqlalchemy import Engine

    from arena_core.container import make_bus
    from arena_core.settings import Settings
    from arena_core.state.publisher import sync_state

    assert isinstance(settings, Settings) and isinstance(engine, Engine)
    async with make_bus(settings, name="arena-db") as bus:
        return await sync_state(bus.js, engine, replicas=bus.stream.replicas)
