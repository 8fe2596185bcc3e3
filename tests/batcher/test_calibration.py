"""Calibration figures: pass@1, pass@K and the AUCCESS area weigh early successes more."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from arena_core.cli.main import build_app
from arena_core.events.engineer import SolveJobCompleted, SolveOutcome
from arena_core.query import SelectedBenchmark
from batcher.calibration import auccess, figures


def _outcome(solved: bool, sims: int) -> SolveJobCompleted:
    return SolveJobCompleted(
        benchmark_id="b", outcome=SolveOutcome.solved if solved else SolveOutcome.unsolved,
        solved=solved, plan_id="p", submissions=1, sim_calls=sims, llm_calls=0, tokens=0,
        cost_usd=0.0, latency_s=0.0, sim_time_s=0.0, wall_s=0.0,
    )  # fmt: skip


def test_auccess_is_one_for_an_immediate_success_and_zero_for_none() -> None:
    assert auccess([1, 1], 30) == 1.0
    assert auccess([None, None], 30) == 0.0
    assert 0.0 < auccess([25, None], 30) < auccess([5, None], 30) < auccess([5, 5], 30) < 1.0


def test_figures_count_solved_rollouts_and_their_simulations() -> None:
    target = SelectedBenchmark(benchmark_id="sweep-x", family="sweep", difficulty=2)
    done = figures(target, [_outcome(True, 9), _outcome(False, 30), _outcome(True, 15)], 30)
    assert done.solved == 2 and done.rollouts == 3
    assert done.pass_at_1 == pytest.approx(2 / 3, abs=1e-6)
    assert done.pass_at_k == 1.0
    assert done.sims_to_solve == (9, None, 15)
    assert done.family == "sweep" and done.difficulty == 2
    none = figures(target, [_outcome(False, 30)], 30)
    assert none.pass_at_1 == none.pass_at_k == none.auccess == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calibrate", "-k", "0", "x"], "-k/--rollouts: Input should be greater than or equal"),
        (["calibrate", "--budget", "0", "x"], "--budget/--max-sim-calls: Input should be greater"),
        (["calibrate", "--difficulty", "6", "x"], "--difficulty: Input should be less than or"),
        (["calibrate"], "no benchmarks to calibrate"),
        (["rollouts", "-k", "0"], "-k/--k: Input should be greater than or equal to 1"),
        (["rollouts", "--max-difficulty", "0"], "--difficulty: Input should be greater"),
        (["rollouts", "--max-sim-calls", "0"], "--budget/--max-sim-calls: Input should be"),
        (["benchmarks", "--difficulty", "0"], "difficulty must be 1 to 5"),
    ],
)
def test_bad_input_is_a_one_line_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
