"""Schemathesis against the real server (real NATS, recorder, SQLite): every check,
every phase including stateful sequences along the document's links, zero failures."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.settings import Settings
from tests.api.conftest import Server
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
CONFIG = Path(__file__).with_name("schemathesis.toml")


async def test_schemathesis_finds_no_failure(
    api_with_backups: Server, bus: Bus, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    api = api_with_backups
    # Something to find: a run with a batch, a conversation and workspace files.
    await publish_run(bus, "run-fuzz", conversation_id="conv-fuzz")
    await settle(bus, engine)
    (settings.workspace / "run-fuzz").mkdir(parents=True)
    (settings.workspace / "run-fuzz" / "part.py").write_text("print('part')\n")
    argv = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG),
        "run", f"{api.url}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--header", f"Authorization: Bearer {api.tokens['admin']}",
        "--max-examples", "10", "--seed", "7", "--workers", "1",
        "--request-timeout", "30", "--continue-on-failure",
        "--suppress-health-check", "all",
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path
    )
    out, _ = await proc.communicate()
    report = out.decode(errors="replace")
    (tmp_path / "schemathesis.txt").write_text(report)
    assert proc.returncode == 0, report[-6000:]
