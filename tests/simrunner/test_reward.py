"""The graded reward on real MuJoCo runs: solved beats progress beats nothing, in [0, 1]."""

from __future__ import annotations

from arena_core.spec import Box, Pose, Solution, SolutionPart
from arena_core.spec.examples import ball_to_goal, ramp_solution
from simrunner.reward import MARGIN_WEIGHT, PROGRESS_WEIGHT, SOLVED_WEIGHT
from simrunner.simulate import simulate


def test_a_passing_design_scores_at_least_point_nine_with_every_term_recorded() -> None:
    result = simulate(ball_to_goal(), ramp_solution())
    assert result.passed
    r = result.reward
    assert r.solved == 1.0 and r.progress == 1.0
    assert 0.0 < r.margin <= 1.0
    assert r.value == round(SOLVED_WEIGHT + PROGRESS_WEIGHT + MARGIN_WEIGHT * r.margin, 6)
    assert r.value >= 0.9


def test_the_bare_benchmark_earns_little_and_no_solved_share() -> None:
    result = simulate(ball_to_goal(copies=2))
    assert not result.passed
    assert result.reward.solved == 0.0
    assert result.reward.value < 0.5
    assert result.reward.margin == 1.0


def test_a_design_over_the_limits_is_halved_and_has_no_margin() -> None:
    heavy = Solution(
        parts=(
            *ramp_solution().parts,
            SolutionPart(
                name="brick", geometry=Box(half_size=(0.05, 0.05, 0.05)),
                pose=Pose.at(0.0, 0.15, 0.06), material="steel",
            ),
        )
    )  # fmt: skip
    result = simulate(ball_to_goal(copies=2), heavy)
    assert result.scoring.violations
    assert result.reward.margin == 0.0
    assert result.reward.value <= 0.5
