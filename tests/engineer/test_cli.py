"""``arena solve`` starts what it needs (embedded NATS and the team) and reports the outcome."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_arena_solve_solves_an_example_with_an_embedded_stack(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    run = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", "solve", "example:ball_to_goal:4",
         "--llm", "offline", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = [json.loads(x) for x in run.stdout.splitlines() if x.startswith("{")]
    result = line["result"]
    assert line["type"] == "SolveJobCompleted" and result["solved"] is True
    assert result["cost"] <= result["max_cost"] and result["mass_kg"] <= result["max_mass_kg"]
    assert (tmp_path / ".arena" / "arena.db").is_file()
    assert f"run {line['run_id']}" in run.stderr
    from arena_core.db import open_database
    from arena_core.replay import resolve_run

    assert resolve_run(open_database(tmp_path / ".arena" / "arena.db"), line["run_id"])


def test_arena_solve_on_anthropic_without_a_key_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ARENA_") and k != "ANTHROPIC_API_KEY"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", "solve", "example:ball_to_goal", "--llm",
         "anthropic"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: --llm anthropic needs ANTHROPIC_API_KEY: export it, or use --llm offline"
    ]


def test_arena_solve_names_an_unknown_benchmark(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    run = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", "solve", "nope-123"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "'nope-123' matches 0 benchmarks" in run.stderr
