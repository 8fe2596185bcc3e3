"""NATS that does not answer: every command says so in one line naming the URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "command",
    [
        ("generate",),
        ("solve", "example:ball_to_goal"),
        ("render", "01a2"),
        ("submit", "benchmark", "--wait"),
        ("health",),
    ],
    ids=lambda c: c[0],
)
def test_a_closed_port_is_one_line_naming_the_url_and_what_to_do(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"nats://127.0.0.1:{s.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    done = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", *command],
        env={**env, "ARENA_HOME": str(tmp_path), "ARENA_NATS_URL": url},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert url in line and "within 3 s" in line and "ARENA_NATS_URL" in line
