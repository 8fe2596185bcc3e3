"""``arena tokens``: create, list and revoke bearer tokens of the HTTP API.

Creating or revoking a token is an event on the bus (the recorder stores only the
token's hash); the secret is printed once, here, and nowhere else.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import typer

from arena_core.cli.help import examples
from arena_core.cli.output import LIST_JSON, RESULT_JSON, fail, print_json
from arena_core.cli.recording import open_recording
from arena_core.events.access import Scope


async def _publish(payload: Any) -> None:
    from arena_core.container import make_bus
    from arena_core.events import Envelope
    from arena_core.settings import Settings

    async with make_bus(Settings(), name="arena-tokens") as bus:
        await bus.publish(Envelope.new(payload))


def _need_nats() -> None:
    from arena_core.settings import Settings

    if not Settings().nats_url:
        fail("arena tokens needs the stack's NATS server: set ARENA_NATS_URL")


def register(app: typer.Typer) -> None:
    tokens = typer.Typer(
        help="Bearer tokens of the HTTP API.",
        no_args_is_help=True,
        epilog=examples("arena tokens create --scope read --name dashboard", "arena tokens list"),
    )
    app.add_typer(tokens, name="tokens")

    @tokens.command(
        "create",
        epilog=examples(
            "arena tokens create --scope submit --name ci   # prints the secret once",
        ),
    )
    def create(
        scope: list[Scope] = typer.Option(..., "--scope", help="read, submit or admin (repeat)."),
        name: str = typer.Option("token", "--name", help="Who or what it is for."),
        json_out: bool = RESULT_JSON,
    ) -> None:
        """Issue a token; the secret is printed once (store it, it cannot be shown again)."""
        from arena_core.api.tokens import mint

        _need_nats()
        token, event = mint(name, tuple(scope))
        asyncio.run(_publish(event))
        if json_out:
            line = {"token": token, "token_id": event.token_id, "scopes": list(event.scopes)}
            typer.echo(orjson.dumps(line).decode(), color=False)
        else:
            typer.echo(token, color=False)
            typer.echo(
                f"token {event.token_id} ({' '.join(event.scopes)}) for {name!r}: "
                "shown once, keep it secret",
                err=True,
            )

    @tokens.command(
        "revoke",
        epilog=examples(
            "arena tokens revoke 01a2f3",
        ),
    )
    def revoke(
        token_id: str = typer.Argument(..., help="The token's id (12 hex digits)."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Stop a token from working."""
        from pydantic import ValidationError

        from arena_core.events.access import TokenRevoked

        _need_nats()
        try:
            event = TokenRevoked(token_id=token_id)
        except ValidationError:
            fail(f"{token_id!r} is not a token id (12 hex digits)")
        asyncio.run(_publish(event))
        if as_json:
            print_json({"token_id": token_id, "revoked": True})
        else:
            typer.echo(f"revoked {token_id}")

    @tokens.command(
        "list",
        epilog=examples(
            "arena tokens list",
            "arena tokens list --json",
        ),
    )
    def list_tokens(json_out: bool = LIST_JSON) -> None:
        """Tokens recorded so far (ids, names, scopes; never secrets)."""
        from sqlalchemy import select

        from arena_core.db.access import api_tokens

        engine = open_recording()
        with engine.connect() as conn:
            rows = conn.execute(select(api_tokens).order_by(api_tokens.c.created_seq)).all()
        for row in rows:
            line = {
                "token_id": row.token_id, "name": row.name, "scopes": row.scopes.split(),
                "created_at": row.created_at.isoformat(),
                "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            }  # fmt: skip
            if json_out:
                typer.echo(orjson.dumps(line).decode(), color=False)
            else:
                state = "revoked" if row.revoked_at else "active"
                typer.echo(f"{row.token_id}  {state:8} {row.scopes:20} {row.name}")
