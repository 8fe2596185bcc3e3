"""``arena nats``: the embedded NATS server in the foreground."""

from __future__ import annotations

import time

import typer

from arena_core.cli.help import examples
from arena_core.processes import stop_on_sigterm


def register(app: typer.Typer) -> None:
    @app.command(
        "nats",
        epilog=examples(
            "arena nats                                # prints nats://127.0.0.1:PORT",
        ),
    )
    def nats_command() -> None:
        """Run the embedded nats-server (JetStream) until Ctrl-C and print its URL."""
        from arena_core.bus import EmbeddedNats
        from arena_core.settings import Settings

        settings = Settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        stop_on_sigterm()
        server = EmbeddedNats(settings.nats_store_dir, log_file=settings.home / "nats.log")
        try:
            with server:
                typer.echo(server.url, color=False)
                typer.echo(
                    f"JetStream store: {server.store_dir}  (export ARENA_NATS_URL={server.url})",
                    err=True,
                )
                while True:
                    time.sleep(0.5)
        except KeyboardInterrupt:
            pass  # SIGTERM or Ctrl-C: the server stopped cleanly on leaving the block
