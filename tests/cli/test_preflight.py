"""A model that cannot answer is found before anything starts: one line, exit 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "sk-ant-test-never-shown-0123456789"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _arena(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ARENA_", "ANTHROPIC_"))}
    return subprocess.run(
        [sys.executable, "-m", "arena_core.cli", *args],
        env={**base, "ARENA_HOME": str(tmp_path), **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


COMMANDS = [
    ("solve", "example:ball_to_goal"),
    ("demo", "-n", "1"),
    ("redrive", "01nosuchrun", "--llm", "anthropic"),
    ("worker", "engineer", "--nats", "nats://127.0.0.1:1"),
    ("generate",),
    ("rollouts", "example:ball_to_goal"),
    ("calibrate", "--latest", "1"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_anthropic_without_a_key_is_one_line_at_start(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = _arena(tmp_path, "--llm", "anthropic", *command)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[-1].startswith("error:") and "ANTHROPIC_API_KEY" in lines[-1], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unreachable_messages_api_is_named_with_a_hint(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    done = _arena(
        tmp_path, "--llm", "anthropic", *command,
        ANTHROPIC_API_KEY=SECRET, ARENA_ANTHROPIC_BASE_URL=url,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert url in line and "ARENA_ANTHROPIC_BASE_URL" in line and "--llm offline" in line
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
