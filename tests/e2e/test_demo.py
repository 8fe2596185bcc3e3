"""`arena demo` end to end: every service its own process, a fresh directory."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from arena_core.db import make_engine

FINAL_JOB_STATES = {"completed", "failed", "partial"}


def arena(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "arena_core.cli", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    # A run that accepts nothing has been seen once on a loaded machine without a known
    # cause: it is reported loudly and run once more, and a second such run fails.
    for attempt in (1, 2):
        home = tmp_path_factory.mktemp("demo")
        result = arena("demo", "--benchmarks", "4", "--json", cwd=home)
        assert result.returncode == 0, result.stderr[-3000:]
        out: dict[str, Any] = orjson.loads(result.stdout.strip().splitlines()[-1])
        if out["accepted"] or attempt == 2:
            return home, out
        logs = "\n".join(p.read_text()[-2000:] for p in (home / ".arena" / "logs").glob("*.log"))
        warnings.warn(
            f"arena demo accepted no benchmark (rows: {out['rows']}); worker logs:\n{logs}",
            stacklevel=1,
        )
    raise AssertionError("unreachable")


def rows(database: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def test_every_generate_job_ended_and_every_job_of_the_run_is_final(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    _, out = demo
    assert out["generated"] == 4
    assert len(out["rows"]) == 4
    states = rows(
        out["database"], "SELECT kind, state FROM jobs WHERE run_id = :r", r=out["run_id"]
    )
    assert states, "the jobs projection has no job of the run"
    unfinished = [(t, s) for t, s in states if s not in FINAL_JOB_STATES]
    assert unfinished == []


def test_every_accepted_benchmark_was_validated_by_the_simrunner(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    _, out = demo
    accepted = [r for r in out["rows"] if r["valid"]]
    assert accepted, "no benchmark was accepted"
    for row in accepted:
        # A generate job's thread (its correlation id is the job id) holds the benchmark
        # and the simrunner's answers to the reviewer.
        thread = {
            t: n
            for t, n in rows(
                out["database"],
                "SELECT type, count(*) FROM messages WHERE correlation_id = :job GROUP BY type",
                job=row["job_id"],
            )
        }
        assert thread.get("benchmark.created") == 1
        assert thread.get("sim.validate.completed", 0) >= 1
        assert thread.get("sim.job.completed", 0) >= 2  # the reference passes, empty fails


def test_the_recording_holds_every_message_of_the_stream(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    _, out = demo
    assert out["recorded_messages"] == out["stream_messages"]
    invalid = rows(out["database"], "SELECT count(*) FROM messages WHERE NOT valid")
    assert invalid[0][0] == 0


def test_the_run_replays_and_exports(demo: tuple[Path, dict[str, Any]]) -> None:
    home, out = demo
    replay = arena("replay", out["run_id"], cwd=home, timeout=120)
    assert replay.returncode == 0, replay.stderr[-2000:]
    assert "benchmark.created" in replay.stdout

    export = arena("export", "--format", "sft-openai", "--out", "sft.jsonl",
                   "--run", out["run_id"], cwd=home, timeout=120)  # fmt: skip
    assert export.returncode == 0, export.stderr[-2000:]
    lines = (home / "sft.jsonl").read_text().splitlines()
    assert lines, "the export is empty"
    first = orjson.loads(lines[0])
    assert first["messages"][0]["role"] in {"system", "user"}
