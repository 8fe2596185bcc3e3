"""Job rewards: what the reward of each job rests on, folded as its events arrive.

A job's reward is state, so it is folded here once instead of searched for at export:

- a **solve** job keeps its benchmark, spec hash, rollout seed and batch, and the
  verdict on its last scored submission (a ``sim.job.requested`` that is not a preview,
  correlated with the solve); a scored simulation that gave no verdict marks it
  ``sim_no_verdict`` until a later one does;
- a **benchmark** job keeps, per attempt, how many review stages passed, and whether a
  stage could not simulate;
- any job keeps the first infrastructure failure inside it (an LLM call that failed for
  a connection, timeout, rate limit or server error; a dead letter) while it is open.

``arena_core.export.rewards`` turns a row into ``RewardInputs`` and a reward.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import insert, select, update

from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.db.tables import job_rewards, jobs
from arena_core.events import Envelope
from arena_core.events.benchmark import BenchmarkReviewStageCompleted, ReviewReasonKind
from arena_core.events.errors import DeadLetter
from arena_core.events.llm import TRANSIENT_LLM_FAILURES, LlmCallFailed
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.events.solve import SolveJobRequested

"""LLM failures that say nothing about the agent."""

SIM_NO_VERDICT = "sim_no_verdict"
"""The infrastructure failure of a simulation that gave no verdict."""


def spec_sha256(spec: Any) -> str:
    """SHA-256 of a benchmark spec's canonical JSON (sorted keys)."""
    data = orjson.dumps(spec.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()


def graded(result: SimJobCompleted) -> float:
    """The simrunner's graded reward; for results recorded before it was graded, 1 for a
    pass, else half the share of copies solved, less 0.1 per broken constraint."""
    if "reward" in result.model_fields_set:
        return result.reward.value
    base = 1.0 if result.passed else 0.5 * result.metrics.success_rate
    return round(min(1.0, max(0.0, base - 0.1 * len(result.scoring.violations))), 6)


class RewardsProjection(Projection):
    """The ``job_rewards`` table."""

    name = "rewards"
    events = (
        SolveJobRequested,
        SimJobRequested,
        SimJobCompleted,
        SimJobFailed,
        BenchmarkReviewStageCompleted,
        LlmCallFailed,
        DeadLetter,
    )
    tables = (job_rewards,)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, SolveJobRequested):
            self._merge(env.id, {
                "benchmark_id": p.benchmark_id, "spec_sha256": spec_sha256(p.spec),
                "rollout_seed": p.rollout_seed, "batch_id": p.parent_job_id,
            })  # fmt: skip
        elif isinstance(p, SimJobRequested):
            if not p.preview and env.correlation_id and env.correlation_id != env.id:
                insert_once(
                    self.conn, job_rewards, job_id=env.id, scores=env.correlation_id, inputs="{}",
                )  # fmt: skip
        elif isinstance(p, SimJobCompleted | SimJobFailed):
            self._verdict(seq, env, p)
        elif isinstance(p, BenchmarkReviewStageCompleted):
            self._stage(seq, env, p)
        elif isinstance(p, LlmCallFailed):
            if p.reason in TRANSIENT_LLM_FAILURES:
                self._infrastructure(seq, env.correlation_id, f"llm_{p.reason.value}")
        elif isinstance(p, DeadLetter):
            self._infrastructure(seq, env.correlation_id, f"dead_letter:{p.event_type}")

    def _verdict(self, seq: int, env: Envelope[Any], p: SimJobCompleted | SimJobFailed) -> None:
        scores = self.conn.execute(
            select(job_rewards.c.scores).where(job_rewards.c.job_id == env.causation_id)
        ).scalar()
        if scores is None or not self._open(scores, seq):
            return
        if isinstance(p, SimJobFailed):
            self._merge(scores, {"sim_no_verdict": True})
            return
        self._merge(scores, {
            "sim_no_verdict": False, "passed": p.passed,
            "success_rate": p.metrics.success_rate, "violations": len(p.scoring.violations),
            "sim_reward": graded(p), "solved": p.reward.solved, "progress": p.reward.progress,
            "margin": p.reward.margin, "sim_seq": seq,
        })  # fmt: skip

    def _stage(self, seq: int, env: Envelope[Any], p: BenchmarkReviewStageCompleted) -> None:
        job_id = env.correlation_id
        if not job_id or not self._open(job_id, seq):
            return
        stored = self._load(job_id) or {}
        stages: dict[str, int] = dict(stored.get("stages", {}))
        key = str(p.attempt)
        stages[key] = stages.get(key, 0) + int(p.passed)
        change: dict[str, Any] = {"stages": stages}
        if any(r.kind is ReviewReasonKind.simulation_unavailable for r in p.reasons):
            change["sim_no_verdict"] = True
        self._merge(job_id, change)

    def _infrastructure(self, seq: int, job_id: str | None, failure: str) -> None:
        """Note the first infrastructure failure inside a job (up to the event ending it)."""
        if not job_id or not self._open(job_id, seq):
            return
        stored = self._load(job_id) or {}
        if stored.get("infrastructure") is None:
            self._merge(job_id, {"infrastructure": failure})

    def _open(self, job_id: str, seq: int) -> bool:
        """``job_id`` is a job that had not ended before ``seq`` (the event ending it is
        still inside it)."""
        row = self.conn.execute(select(jobs.c.final_seq).where(jobs.c.job_id == job_id)).first()
        return row is not None and (row.final_seq is None or row.final_seq >= seq)

    def _load(self, job_id: str) -> dict[str, Any] | None:
        inputs = self.conn.execute(
            select(job_rewards.c.inputs).where(job_rewards.c.job_id == job_id)
        ).scalar()
        return None if inputs is None else dict(orjson.loads(inputs))

    def _merge(self, job_id: str, change: dict[str, Any]) -> None:
        stored = self._load(job_id)
        if stored is None:
            data = orjson.dumps(change).decode()
            self.conn.execute(insert(job_rewards).values(job_id=job_id, inputs=data))
        else:
            data = orjson.dumps({**stored, **change}).decode()
            self.conn.execute(
                update(job_rewards).where(job_rewards.c.job_id == job_id).values(inputs=data)
            )
