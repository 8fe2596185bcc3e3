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
from arena_core.events.selection import BenchmarkSelection, SelectionProblem
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.rollouts import choose


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARENA_NATS_URL", raising=False)
    build_app()
    return CliRunner()


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
    result = runner.invoke(app, ["rollouts", "example:ball_to_goal", "-k", "0"])
    assert result.exit_code == 2, result.output
    assert "-k/--k: Input should be greater than or equal to 1" in result.output


@pytest.mark.slow
def test_rollouts_of_benchmarks_that_do_not_exist_fail_in_one_line_per_id(
    runner: CliRunner,
) -> None:
    result = runner.invoke(app, ["rollouts", "example:no_such_thing", "abc123", "-k", "1"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    unknown = "example:no_such_thing: unknown_benchmark: no example 'example:no_such_thing'"
    assert any(line.startswith(unknown) for line in lines)
    assert "abc123: unknown_benchmark: 'abc123' matches 0 benchmarks of the library" in lines
    assert lines[-1].startswith("rollouts failed: no_benchmarks")
    assert "Traceback" not in result.output


def test_export_refuses_an_unknown_format_in_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["export", "-f", "parquet", "-o", "x.jsonl"])
    assert result.exit_code == 2 and "unknown format 'parquet'" in result.output


def test_selection_filters_by_family_and_declared_difficulty() -> None:
    ids = ("example:ball_to_goal:1", "example:ball_to_goal:2")

    def chosen(**criteria: object) -> list[str]:
        found = choose(None, BenchmarkSelection(benchmark_ids=ids, **criteria))  # type: ignore[arg-type]
        return [t.benchmark_id for t in found.targets]

    assert chosen() == list(ids)
    assert chosen(limit=1) == [ids[0]]
    assert chosen(latest=1) == [ids[1]]
    assert chosen(families=("ball_to_goal",)) == list(ids)
    assert chosen(min_difficulty=2) == []


def test_what_a_selection_does_not_name_is_rejected_and_the_rest_goes_on() -> None:
    found = choose(
        None,
        BenchmarkSelection(
            benchmark_ids=("example:ball_to_goal:1", "abc123", "example:nope"),
            families=("ball_to_goal", "no_such_family"),
        ),
    )
    assert [t.benchmark_id for t in found.targets] == ["example:ball_to_goal:1"]
    assert [(r.reason, r.value) for r in found.rejected] == [
        (SelectionProblem.unknown_benchmark, "abc123"),
        (SelectionProblem.unknown_benchmark, "example:nope"),
        (SelectionProblem.unknown_family, "no_such_family"),
    ]
