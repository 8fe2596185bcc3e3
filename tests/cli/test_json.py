"""One --json convention: JSON lines for lists, one JSON object for a result."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from tests.cli.commands import every_command
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run

WITHOUT_JSON = {
    "api", "nats", "up", "worker", "telemetry",  # they serve until stopped
    "jobs reference",  # writes a Markdown document
    "submit",  # --json is its payload; it always prints one JSON object
}  # fmt: skip
"""Commands that print no result a script would read with --json."""


def test_every_command_that_reports_something_takes_json() -> None:
    missing = []
    for path, command in every_command():
        name = " ".join(path)
        if not path or hasattr(command, "commands") or name in WITHOUT_JSON:
            continue
        if not any("--json" in p.opts for p in command.params):
            missing.append(name)
    assert missing == []


def _objects(stdout: str) -> list[dict[str, object]]:
    lines = stdout.splitlines()
    parsed = [orjson.loads(line) for line in lines]
    assert all(isinstance(p, dict) for p in parsed), stdout[:200]
    return parsed


async def test_lists_print_json_lines_and_results_one_object(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await publish_run(bus, "run-json")
    await settle(bus, engine)
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    monkeypatch.setenv("ARENA_WORKSPACE", str(settings.workspace))
    monkeypatch.setenv("ARENA_NATS_URL", str(settings.nats_url))
    build_app()
    cli = CliRunner()

    async def run(*args: str, code: int = 0) -> list[dict[str, object]]:
        done = await asyncio.to_thread(cli.invoke, app, list(args))
        assert done.exit_code == code, (args, done.output)
        return _objects(done.stdout)

    lists = {
        ("runs", "--json"): "run_id",
        ("replay", "run-json", "--json"): "type",
        ("prompts", "list", "--json"): "role",
        ("jobs", "list", "--json"): "job",
    }
    for args, key in lists.items():
        rows = await run(*args)
        assert len(rows) > 1 and all(key in r for r in rows), args
    results = [
        ("replay", "run-json", "--diff", "run-json", "--json"),
        ("db", "rebuild", "--json"),
        ("db", "upgrade", "--json"),
        ("schemas", "--out", str(tmp_path / "schemas"), "--json"),
        ("export", "-f", "events", "-o", str(tmp_path / "e.jsonl"), "--run", "run-json",
         "--json"),
        ("jobs", "example", "sim", "--json"),
        ("prompts", "show", "engineer", "--json"),
    ]  # fmt: skip
    for args in results:
        (one,) = await run(*args)
        assert one, args
    assert (await run("export", "-f", "events", "-o", str(tmp_path / "x.jsonl"), "--run",
               "run-json", "--json"))[0]["rows"] > 0  # fmt: skip
    assert {r["service"] for r in await run("health", "--json")} == {"recorder"}


async def test_an_unknown_role_names_the_recorded_ones(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await publish_run(bus, "run-roles")
    await settle(bus, engine)
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    build_app()
    done = CliRunner().invoke(
        app, ["export", "-f", "sft-openai", "-o", str(tmp_path / "o.jsonl"), "--role", "enginer"]
    )
    assert done.exit_code == 2 and "its roles: engineer" in done.output
    assert not (tmp_path / "o.jsonl").exists()
