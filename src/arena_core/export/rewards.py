"""The reward of a rollout, per job kind, and the inputs it was computed from.

A conversation's reward is that of the job it served (its correlation id):

- a **solve** job (planner, engineer, critic): the simrunner's graded reward in [0, 1]
  (``SimJobCompleted.reward``, one formula in ``simrunner.reward``) of the last scored
  submission (the verdict on a non-preview ``sim.job.requested``); 0 when the team
  submitted nothing;
- a **benchmark** job (the generator's writer): 1 when the benchmark was accepted and its
  reference proven, else half the share of the review funnel its best attempt passed;
- any other job: 1 when it completed, 0 when it failed.

A job that infrastructure broke (an LLM call that failed for a connection, timeout,
rate limit or server error; a dead letter; a simulation that gave no verdict) has no
reward: ``infrastructure`` names the failure and the trainer never sees it as a 0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import orjson

from arena_core.db.projections.rewards import SIM_NO_VERDICT
from arena_core.events.benchmark import ReviewStage
from arena_core.export.jobs import outcome

_STAGES = len(ReviewStage)


@dataclass(frozen=True)
class RewardInputs:
    """What a reward was computed from (enough to recompute it)."""

    job_id: str | None
    """The job the rollout served."""
    job_kind: str | None
    """``solve``, ``benchmark``, ..."""
    outcome: str | None
    """``success`` / ``failure`` of the job; None while open."""
    benchmark_id: str | None = None
    """Solve: the benchmark solved."""
    spec_sha256: str | None = None
    """Solve: SHA-256 of the benchmark spec's canonical JSON."""
    rollout_seed: int | None = None
    """Solve: seed of the team's search (rollouts of one benchmark differ by it)."""
    batch_id: str | None = None
    """The batch job this job belongs to (e.g. a ``rollout`` job), if any."""
    passed: bool | None = None
    """Solve: the last scored submission passed the simrunner."""
    success_rate: float | None = None
    """Solve: share of jittered copies of the last scored submission that met the goal."""
    violations: int | None = None
    """Solve: constraints the last scored submission broke."""
    sim_reward: float | None = None
    """Solve: the simrunner's graded reward of the last scored submission."""
    solved: float | None = None
    """Solve: the reward's share of copies solved."""
    progress: float | None = None
    """Solve: the reward's mean progress towards the goal."""
    margin: float | None = None
    """Solve: the reward's margin under the cost and mass limits."""
    sim_seq: int | None = None
    """Solve: sequence of the verdict the reward rests on."""
    stages_passed: int | None = None
    """Benchmark: review stages the best attempt passed (of ``len(ReviewStage)``)."""
    accepted: bool | None = None
    """Benchmark: accepted with its reference solution proven."""
    infrastructure: str | None = None
    """Why the job has no reward: the infrastructure failure, by name."""

    def as_json(self) -> dict[str, Any]:
        # Every field is a plain value: a shallow copy is the JSON object (``asdict``
        # would deep-copy each field, which cost the export a third of its time).
        return dict(vars(self))


def reward(inputs: RewardInputs) -> float | None:
    """The scalar reward in [0, 1], or None (infrastructure failure, open or unknown job)."""
    if inputs.infrastructure is not None or inputs.job_kind is None:
        return None
    if inputs.job_kind == "solve":
        if inputs.sim_reward is None:
            return 0.0 if inputs.outcome is not None else None
        return inputs.sim_reward
    if inputs.job_kind == "benchmark":
        if inputs.accepted:
            return 1.0
        return (
            None
            if inputs.outcome is None
            else round(0.5 * (inputs.stages_passed or 0) / _STAGES, 6)
        )
    if inputs.outcome is None:
        return None
    return 1.0 if inputs.outcome == "success" else 0.0


_FOLDED = frozenset(f.name for f in fields(RewardInputs)) - {"job_id", "job_kind", "outcome"}


def inputs_of(job_id: str, kind: str, state: str, folded: str | None) -> RewardInputs:
    """The reward inputs of a job from its ``jobs`` row and the inputs folded for it
    (a ``job_rewards`` row of ``RewardsProjection``; None when it has none)."""
    stored: dict[str, Any] = orjson.loads(folded) if folded else {}
    ended = outcome(state)
    known = {k: v for k, v in stored.items() if k in _FOLDED and k != "infrastructure"}
    no_verdict = SIM_NO_VERDICT if stored.get("sim_no_verdict") else None
    if kind == "benchmark":
        accepted = ended == "success"
        known["stages_passed"] = max(stored.get("stages", {}).values(), default=0)
        known["accepted"] = accepted
        no_verdict = None if accepted else no_verdict
    elif kind != "solve":
        no_verdict = None
    infrastructure = no_verdict
    if infrastructure is None and ended != "success":
        infrastructure = stored.get("infrastructure")
    # Built once: ``replace`` re-runs the constructor, and the export calls this per job.
    return RewardInputs(job_id, kind, ended, **known, infrastructure=infrastructure)
