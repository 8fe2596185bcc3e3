"""Tokens: hashed in the recording, revocable, never in a log or event, required off loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arena_core.api.tokens import digest, mint
from arena_core.bus import Bus
from arena_core.cli.main import build_app
from arena_core.db.access import api_tokens
from arena_core.db.tables import messages
from arena_core.events import Envelope
from arena_core.events.access import Scope, TokenRevoked
from arena_core.settings import Settings
from tests.api.conftest import Server
from tests.recorder.recording import settle


async def test_only_the_hash_of_a_token_is_recorded(api: Server, bus: Bus, engine: Engine) -> None:
    token = api.tokens["admin"]
    with engine.connect() as conn:
        bodies = b"".join(conn.execute(select(messages.c.body)).scalars())
        hashes = set(conn.execute(select(api_tokens.c.secret_sha256)).scalars())
    assert token.encode() not in bodies
    assert digest(token) in hashes


async def test_a_revoked_token_stops_working(api: Server, bus: Bus, engine: Engine) -> None:
    token, created = mint("short-lived", (Scope.read,))
    await bus.publish(Envelope.new(created))
    await settle(bus, engine)
    async with api.client(None) as client:
        auth = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/runs", headers=auth)).status_code == 200
        await bus.publish(Envelope.new(TokenRevoked(token_id=created.token_id)))
        await settle(bus, engine)
        answer = await client.get("/runs", headers=auth)
    assert answer.status_code == 401


def test_the_api_refuses_a_public_address_without_a_token(
    settings: Settings, engine: Engine, monkeypatch: object, tmp_path: Path
) -> None:
    env = {"ARENA_NATS_URL": str(settings.nats_url), "ARENA_HOME": str(settings.home)}
    result = CliRunner().invoke(build_app(), ["api", "--host", "0.0.0.0"], env=env)
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0 with no token" in result.output


async def test_tokens_create_prints_the_secret_once_and_publishes_only_its_hash(
    settings: Settings, bus: Bus
) -> None:
    env = {"ARENA_NATS_URL": str(settings.nats_url), "ARENA_HOME": str(settings.home)}
    argv = ["tokens", "create", "--scope", "submit", "--name", "cron", "--json"]
    result = await asyncio.to_thread(CliRunner().invoke, build_app(), argv, env=env)
    assert result.exit_code == 0, result.output
    printed = orjson.loads(result.stdout)
    assert printed["scopes"] == ["submit"]
    stored = await bus.js.get_last_msg(bus.stream.name, "arena.api.token.created")
    assert printed["token"].encode() not in stored.data
    assert digest(printed["token"]).encode() in stored.data
