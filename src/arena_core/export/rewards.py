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

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any

import orjson
from sqlalchemy import Connection, String, and_, cast, func, select

from arena_core.db.tables import messages
from arena_core.events.benchmark import BenchmarkReviewStageCompleted, ReviewReasonKind, ReviewStage
from arena_core.events.engineer import SolveJobRequested
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
_SIM_EVENTS = ("sim.job.completed", "sim.job.failed")
_INFRASTRUCTURE_EVENTS = ("llm.call.failed", "error.dead_letter")


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
        return (
            None
            if inputs.outcome is None
            else round(0.5 * (inputs.stages_passed or 0) / _STAGES, 6)
        )
    if inputs.outcome is None:
        return None
    return 1.0 if inputs.outcome == "success" else 0.0


def _graded(result: SimJobCompleted) -> float:
    """The simrunner's graded reward; for results recorded before it was graded, 1 for a
    pass, else half the share of copies solved, less 0.1 per broken constraint."""
    if "reward" in result.model_fields_set:
        return result.reward.value
    base = 1.0 if result.passed else 0.5 * result.metrics.success_rate
    return round(min(1.0, max(0.0, base - 0.1 * len(result.scoring.violations))), 6)


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
            else:
                base = RewardInputs(job.job_id, job.kind, outcome(job.state))
                if job.kind == "solve":
                    found = self._solve(job, base)
                elif job.kind == "benchmark":
                    found = self._benchmark(job, base)
                else:
                    found = base
                if found.infrastructure is None and found.outcome != "success":
                    found = replace(found, infrastructure=self._infrastructure(job))
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

    def _infrastructure(self, job: JobRef) -> str | None:
        """The first infrastructure failure inside the job, by name (None if none)."""
        rows = self.conn.execute(
            select(messages.c.type, messages.c.body)
            .where(self._span(job, _INFRASTRUCTURE_EVENTS))
            .order_by(messages.c.seq)
        ).all()
        for kind, body in rows:
            if kind == "error.dead_letter":
                return f"dead_letter:{payload(body, DeadLetter).event_type}"
            reason = payload(body, LlmCallFailed).reason
            if reason in INFRASTRUCTURE_LLM_FAILURES:
                return f"llm_{reason.value}"
        return None

    def _solve(self, job: JobRef, base: RewardInputs) -> RewardInputs:
        body = self.conn.execute(
            select(messages.c.body).where(messages.c.seq == job.requested_seq)
        ).scalar()
        if body is not None:
            asked = payload(body, SolveJobRequested)
            spec = orjson.dumps(asked.spec.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
            base = replace(
                base,
                benchmark_id=asked.benchmark_id,
                spec_sha256=hashlib.sha256(spec).hexdigest(),
                rollout_seed=asked.rollout_seed,
                batch_id=asked.parent_job_id,
            )
        # The last scored simulation: walk back from the newest, skipping previews and the
        # critic's stress tests (only each request's flag is read, not its meshes).
        sims = self.conn.execute(
            select(messages.c.seq, messages.c.type, messages.c.causation_id)
            .where(self._span(job, _SIM_EVENTS))
            .order_by(messages.c.seq.desc())
        ).all()
        preview = func.json_extract(cast(messages.c.body, String), "$.payload.preview")
        for seq, kind, cause in sims:
            flag = self.conn.execute(select(preview).where(messages.c.msg_id == cause)).scalar()
            if flag != 0:
                continue
            if kind == "sim.job.failed":
                return replace(base, infrastructure="sim_no_verdict")
            body = self.conn.execute(select(messages.c.body).where(messages.c.seq == seq))
            result = payload(body.scalar_one(), SimJobCompleted)
            return replace(
                base,
                passed=result.passed,
                success_rate=result.metrics.success_rate,
                violations=len(result.scoring.violations),
                sim_reward=_graded(result),
                solved=result.reward.solved,
                progress=result.reward.progress,
                margin=result.reward.margin,
                sim_seq=seq,
            )
        return base

    def _benchmark(self, job: JobRef, base: RewardInputs) -> RewardInputs:
        rows = self.conn.execute(
            select(messages.c.body)
            .where(self._span(job, ("benchmark.review.stage.completed",)))
            .order_by(messages.c.seq)
        ).all()
        passed: dict[int, int] = {}
        infra: str | None = None
        for (body,) in rows:
            stage = payload(body, BenchmarkReviewStageCompleted)
            if any(r.kind is ReviewReasonKind.simulation_unavailable for r in stage.reasons):
                infra = "sim_no_verdict"
            passed[stage.attempt] = passed.get(stage.attempt, 0) + int(stage.passed)
        accepted = base.outcome == "success"
        return replace(
            base,
            stages_passed=max(passed.values(), default=0),
            accepted=accepted,
            infrastructure=None if accepted else infra,
        )
