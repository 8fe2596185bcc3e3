"""``arena nats``: the embedded NATS server in the foreground."""

from __future__ import annotations

import signal
import threading

import typer


def register(app: typer.Typer) -> None:
    @app.command("nats")
    def nats_command() -> None:
        """Run the embedded nats-server (JetStream) until Ctrl-C and print its URL."""
        from arena_core.bus import EmbeddedNats
        from arena_core.settings import Settings

        settings = Settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with EmbeddedNats(settings.nats_store_dir, log_file=settings.home / "nats.log") as srv:
            typer.echo(srv.url, color=False)
            typer.echo(
                f"JetStream store: {srv.store_dir}  (export ARENA_NATS_URL={srv.url})", err=True
            )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
