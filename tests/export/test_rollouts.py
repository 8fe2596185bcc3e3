"""``arena rollouts``: K solves per benchmark, one batch job, exported as GRPO groups."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from arena_core.cli.main import app, build_app
from arena_core.db import open_database
from arena_core.db.tables import jobs
from arena_core.events import Envelope
from arena_core.events.rollouts import RolloutJobRequested
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.rollouts import (
    EmptySelection,
    Selection,
    UnknownBenchmark,
    select_benchmarks,
    solve_requests,
)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARENA_NATS_URL", raising=False)
    build_app()
    return CliRunner()


def test_each_rollout_is_its_own_solve_job_with_its_own_seed() -> None:
    targets = select_benchmarks(None, Selection(ids=("example:ball_to_goal:1",)))
    batch = Envelope.new(RolloutJobRequested(benchmark_ids=("example:ball_to_goal:1",), k=3))
    children = solve_requests(batch, targets)
    assert [c.payload.rollout_seed for c in children] == [0, 1, 2]
    assert {c.payload.parent_job_id for c in children} == {batch.id}
    assert len({c.correlation_id for c in children}) == 3  # each its own thread
    assert len({c.payload.key for c in children}) == 3  # so its own conversations


@pytest.mark.slow
def test_rollouts_record_k_graded_solves_that_export_as_one_group(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["rollouts", "example:ball_to_goal:1", "-k", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rollouts"] == 2 and summary["benchmarks"] == 1
    assert [r["rollout_seed"] for r in summary["results"]] == [0, 1]

    engine = open_database(tmp_path / ".arena" / "arena.db")
    with engine.connect() as conn:
        batch = conn.execute(select(jobs).where(jobs.c.kind == "rollout")).one()
    assert batch.children_total == 2 and batch.state in {"completed", "partial"}

    out = io.BytesIO()
    flt = ExportFilter(role="engineer")
    grpo = export(engine, ExportFormat.grpo, out, flt)
    (group,) = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert grpo.rows == 1 and group["group_size"] == 2
    assert group["benchmark_id"] == "example:ball_to_goal:1"
    assert all(0.0 <= r <= 1.0 for r in group["rewards"])
    seeds = sorted(i["rollout_seed"] for i in group["reward_inputs"])
    assert seeds == [0, 1]
    assert all(i["sim_reward"] is not None for i in group["reward_inputs"])
    # The seed steers the search but the model never reads it: one prompt, one group,
    # the seed recorded on the calls (provenance) and the jobs (reward inputs).
    assert "rollout_seed" not in orjson.dumps(group["prompt"]).decode()
    assert sorted(c["seed"] for c in group["provenance"]["completions"]) == [0, 1]
    assert all("rollout_seed" not in orjson.dumps(c).decode() for c in group["completions"])


def test_rollouts_refuse_bad_input_in_one_line(runner: CliRunner) -> None:
    cases: list[tuple[list[str], str]] = [
        (["rollouts", "example:ball_to_goal", "-k", "0"], "K must be at least 1"),
        (["rollouts", "example:no_such_thing"], "no example"),
        (["rollouts", "abc123"], "no recording"),
    ]
    for argv, message in cases:
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_export_refuses_an_unknown_format_in_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["export", "-f", "parquet", "-o", "x.jsonl"])
    assert result.exit_code == 2 and "unknown format 'parquet'" in result.output


def test_selection_filters_by_family_and_declared_difficulty() -> None:
    ids = ("example:ball_to_goal:1", "example:ball_to_goal:2")
    both = select_benchmarks(None, Selection(ids=ids))
    assert [t.benchmark_id for t in both] == list(ids)
    assert len(select_benchmarks(None, Selection(ids=ids, limit=1))) == 1
    assert select_benchmarks(None, Selection(ids=ids, families=("ball_to_goal",))) == both
    with pytest.raises(EmptySelection):
        select_benchmarks(None, Selection(ids=ids, families=("bridge_gap",)))
    with pytest.raises(EmptySelection):
        select_benchmarks(None, Selection(ids=ids, min_difficulty=2))
    with pytest.raises(UnknownBenchmark):
        select_benchmarks(None, Selection(ids=("abc123",)))
