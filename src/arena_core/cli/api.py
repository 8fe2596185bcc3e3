"""``arena api``: serve the HTTP API (FastAPI on uvicorn)."""

from __future__ import annotations

import ipaddress

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import fail


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command(
        "api",
        epilog=examples(
            "arena api                                 # http://127.0.0.1:8321/docs",
            "arena api --host 0.0.0.0 --port 8080    # needs a token first",
        ),
    )
    def api_command(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8321, "--port", min=0, max=65535, help="Port to listen on."),
    ) -> None:
        """Serve the HTTP API: jobs onto the bus, the recording read-only, OpenAPI at /docs.

        On an address other than loopback it refuses to start until a token exists
        (arena tokens create).
        """
        import uvicorn

        from arena_core.api import create_app
        from arena_core.api.context import read_only_engine
        from arena_core.api.tokens import active_tokens
        from arena_core.db import SchemaOutdated
        from arena_core.settings import Settings

        settings = Settings()
        if not settings.nats_url:
            fail("arena api needs a NATS server: set ARENA_NATS_URL")
        try:
            engine = read_only_engine(settings.database_path)
        except (FileNotFoundError, SchemaOutdated) as exc:
            fail(f"arena api: {exc}")
        if not is_loopback(host) and active_tokens(engine) == 0:
            fail(
                f"arena api: refusing to listen on {host} with no token: "
                "create one with 'arena tokens create --scope read'"
            )
        uvicorn.run(
            create_app(settings, engine=engine), host=host, port=port, log_level="warning",
            access_log=False,
        )  # fmt: skip
