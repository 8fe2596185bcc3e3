"""The graded reward of a simulated solution: one number in [0, 1] beside pass/fail.

    reward = (0.6 * solved + 0.3 * progress + 0.1 * margin) * (0.5 if a constraint is broken)

- ``solved``: share of the jittered copies that met the goal;
- ``progress``: mean over the copies of how far the payload got towards the goal, 1 for a
  copy that met it. Reach goals: 1 - (distance of the payload's final centre from the goal
  zone) / (that distance at its start, at least ``MIN_SCALE_M``), clipped to [0, 1]. Hold
  goals: the payload's final height over the required height, clipped to [0, 1];
- ``margin``: 1 minus the larger share of the cost and mass limits the solution uses,
  clipped to [0, 1] (1 for a benchmark without limits);
- an invalid scene scores 0.

A design that passes scores at least 0.9; the weights make solving every copy worth more
than any amount of progress, and progress worth more than thrift. This module is the one
place the formula lives: the simrunner records it on every ``sim.job.completed``, export
and the optimizer read it from there.
"""

from __future__ import annotations

from collections.abc import Sequence

from arena_core.events.sim import CopyResult, Reward, Scoring
from arena_core.spec import BenchmarkSpec, ReachZone

SOLVED_WEIGHT = 0.6
PROGRESS_WEIGHT = 0.3
MARGIN_WEIGHT = 0.1
VIOLATION_FACTOR = 0.5
"""What a reward is multiplied by when the solution breaks a constraint."""
MIN_SCALE_M = 0.05
"""Smallest start distance progress is measured against (a payload starting next to the
goal does not turn every small move into full progress)."""


def reward(
    spec: BenchmarkSpec, copies: Sequence[CopyResult], scoring: Scoring, *, valid: bool = True
) -> Reward:
    """The graded reward of one simulated solution (see the module's formula)."""
    if not valid or not copies:
        return Reward(margin=margin(spec, scoring))
    solved = sum(c.success for c in copies) / len(copies)
    progress = sum(copy_progress(spec, c) for c in copies) / len(copies)
    m = margin(spec, scoring)
    value = SOLVED_WEIGHT * solved + PROGRESS_WEIGHT * progress + MARGIN_WEIGHT * m
    if scoring.violations:
        value *= VIOLATION_FACTOR
    return Reward(
        value=_unit(value), solved=_unit(solved), progress=_unit(progress), margin=_unit(m)
    )


def copy_progress(spec: BenchmarkSpec, copy: CopyResult) -> float:
    """How far one copy's payload got towards the goal, in [0, 1]."""
    if copy.success:
        return 1.0
    goal = spec.goal
    end = next((p.pos for p in copy.final_poses if p.name == goal.object), None)
    if end is None:
        return 0.0
    if isinstance(goal, ReachZone):
        zone = goal.zone
        start = zone.distance_to(copy.start)
        return _unit(1.0 - zone.distance_to(end) / max(start, MIN_SCALE_M))
    if goal.height <= 0:
        return 1.0 if end[2] >= goal.height else 0.0
    return _unit(end[2] / goal.height)


def margin(spec: BenchmarkSpec, scoring: Scoring) -> float:
    """1 minus the larger share of the cost and mass limits used, clipped to [0, 1]."""
    limits = spec.constraints
    shares = [
        used / limit
        for used, limit in (
            (scoring.total_cost, limits.max_cost),
            (scoring.total_mass_kg, limits.max_mass),
        )
        if limit
    ]
    return _unit(1.0 - max(shares, default=0.0))


def _unit(x: float) -> float:
    return round(min(max(x, 0.0), 1.0), 6)
