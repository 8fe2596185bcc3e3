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

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Connection, String, and_, cast, func, select
from sqlalchemy.orm import aliased

from arena_core.db.tables import messages
from arena_core.events.benchmark import BenchmarkReviewStageCompleted, ReviewReasonKind, ReviewStage
from arena_core.events.errors import DeadLetter
from arena_core.events.llm import LlmCallFailed, LlmFailureReason
from arena_core.events.sim import SimJobCompleted
from arena_core.export.jobs import JobRef, Jobs, outcome
from arena_core.export.recorded import payload

INFRASTRUCTURE_LLM_FAILURES = frozenset(
    {
        LlmFailureReason.rate_limited,
        LlmFailureReason.overloaded,
        LlmFailureReason.server_error,
        LlmFailureReason.timeout,
        LlmFailureReason.connection,
    }
)
"""LLM failures that say nothing about the agent."""

_STAGES = len(ReviewStage)
_SOLVE_EVENTS = ("sim.job.completed", "sim.job.failed", "llm.call.failed", "error.dead_letter")
_BENCHMARK_EVENTS = ("benchmark.review.stage.completed", "llm.call.failed", "error.dead_letter")


@dataclass(frozen=True)
class RewardInputs:
    """What a reward was computed from (enough to recompute it)."""

    job_id: str | None
    """The job the rollout served."""
    job_kind: str | None
    """``solve``, ``benchmark``, ..."""
    outcome: str | None
    """``success`` / ``failure`` of the job; None while open."""
    passed: bool | None = None
    """Solve: the last scored submission passed the simrunner."""
    success_rate: float | None = None
    """Solve: share of jittered copies of the last scored submission that met the goal."""
    violations: int | None = None
    """Solve: constraints the last scored submission broke."""
    scored_sims: int | None = None
    """Solve: scored (non-preview) simulations of the job."""
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
        return asdict(self)


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
        return None if inputs.outcome is None else round(0.5 * (inputs.stages_passed or 0) / _STAGES, 6)
    if inputs.outcome is None:
        return None
    return 1.0 if inputs.outcome == "success" else 0.0


class Rewards:
    """Reward inputs of jobs, read from the recording on one connection (cached per job)."""

    def __init__(self, conn: Connection, jobs: Jobs | None = None) -> None:
        self.conn = conn
        self.jobs = jobs or Jobs(conn)
        self._cache: dict[str, RewardInputs] = {}

    def of(self, job_id: str) -> RewardInputs:
        """Reward inputs of the job ``job_id`` (a conversation's correlation id)."""
        if job_id not in self._cache:
            job = self.jobs.get(job_id)
            if job is None:
                found = RewardInputs(job_id=None, job_kind=None, outcome=None)
            elif job.kind == "solve":
                found = self._solve(job)
            elif job.kind == "benchmark":
                found = self._benchmark(job)
            else:
                found = RewardInputs(job.job_id, job.kind, outcome(job.state))
            self._cache[job_id] = found
        return self._cache[job_id]

    def _span(self, job: JobRef, types: tuple[str, ...]) -> Any:
        """The job's own messages of ``types``, read through the (run, seq) index."""
        where = [
            messages.c.run_id == job.run_id,
            messages.c.seq >= job.requested_seq,
            messages.c.correlation_id == job.job_id,
            messages.c.type.in_(types),
            messages.c.valid.is_(True),
        ]
        if job.final_seq is not None:
            where.append(messages.c.seq <= job.final_seq)
        return and_(*where)

    def _solve(self, job: JobRef) -> RewardInputs:
        request = aliased(messages)
        preview = func.json_extract(cast(request.c.body, String), "$.payload.preview")
        rows = self.conn.execute(
            select(messages.c.seq, messages.c.type, messages.c.body, preview.label("preview"))
            .select_from(messages.outerjoin(request, request.c.msg_id == messages.c.causation_id))
            .where(self._span(job, _SOLVE_EVENTS))
            .order_by(messages.c.seq)
        ).all()
        infra: str | None = None
        last: tuple[int, SimJobCompleted] | None = None
        scored = 0
        for seq, kind, body, is_preview in rows:
            if kind == "llm.call.failed":
                reason = payload(body, LlmCallFailed).reason
                if reason in INFRASTRUCTURE_LLM_FAILURES:
                    infra = f"llm_{reason.value}"
            elif kind == "error.dead_letter":
                infra = f"dead_letter:{payload(body, DeadLetter).event_type}"
            elif is_preview == 0:  # a scored simulation (previews and stress tests are 1)
                scored += 1
                if kind == "sim.job.failed":
                    infra = "sim_no_verdict"
                else:
                    last = (seq, payload(body, SimJobCompleted))
        base = RewardInputs(job.job_id, job.kind, outcome(job.state), scored_sims=scored)
        if infra is not None:
            return replace(base, infrastructure=infra)
        if last is None:
            return base
        seq, result = last
        return replace(
            base,
            passed=result.passed,
            success_rate=result.metrics.success_rate,
            violations=len(result.scoring.violations),
            sim_reward=result.reward.value,
            solved=result.reward.solved,
            progress=result.reward.progress,
            margin=result.reward.margin,
            sim_seq=seq,
        )

    def _benchmark(self, job: JobRef) -> RewardInputs:
        rows = self.conn.execute(
            select(messages.c.type, messages.c.body)
            .where(self._span(job, _BENCHMARK_EVENTS))
            .order_by(messages.c.seq)
        ).all()
        infra: str | None = None
        passed: dict[int, int] = {}
        for kind, body in rows:
            if kind == "llm.call.failed":
                reason = payload(body, LlmCallFailed).reason
                if reason in INFRASTRUCTURE_LLM_FAILURES:
                    infra = f"llm_{reason.value}"
            elif kind == "error.dead_letter":
                infra = f"dead_letter:{payload(body, DeadLetter).event_type}"
            else:
                stage = payload(body, BenchmarkReviewStageCompleted)
                if any(r.kind is ReviewReasonKind.simulation_unavailable for r in stage.reasons):
                    infra = "sim_no_verdict"
                passed.setdefault(stage.attempt, 0)
                passed[stage.attempt] += int(stage.passed)
        state = outcome(job.state)
        return RewardInputs(
            job.job_id, job.kind, state,
            stages_passed=max(passed.values(), default=0),
            accepted=state == "success",
            infrastructure=infra if state != "success" else None,
        )  # fmt: skip

