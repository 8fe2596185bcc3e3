"""Jobs: one row per job request, its outcome, failed attempts and batch children.

A job is requested by a ``JobRequested`` payload and ended by the first
``JobCompleted`` / ``JobFailed`` (or error event) that names it as causation. A batch
job (one that others name as ``parent``) ends when all its children have ended. Each
run's job counts and status are refreshed from here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update

from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.db.projections.runs import run_status
from arena_core.db.tables import jobs, runs
from arena_core.events import Envelope
from arena_core.events.errors import DeadLetter, HandlerFailed, InvalidMessage
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested, job_kind


class JobState(StrEnum):
    """Where a job stands."""

    requested = "requested"
    retrying = "retrying"
    running = "running"
    """A batch job with children still open."""
    completed = "completed"
    failed = "failed"
    partial = "partial"
    """A batch job whose children ended, some completed and some failed."""


FINAL_JOB_STATES = frozenset({JobState.completed, JobState.failed, JobState.partial})


def job_state(
    outcome: str | None,
    attempts_failed: int,
    children_total: int,
    children_completed: int,
    children_failed: int,
) -> JobState:
    """The state of a job from its own outcome, its failures and its children."""
    if children_total:
        if children_completed + children_failed < children_total:
            return JobState.running
        if outcome == JobState.failed or children_completed == 0:
            return JobState.failed
        return JobState.completed if children_failed == 0 else JobState.partial
    if outcome is not None:
        return JobState(outcome)
    return JobState.retrying if attempts_failed else JobState.requested


class JobsProjection(Projection):
    """The ``jobs`` table, and the job columns of ``runs``."""

    name = "jobs"
    events = (JobRequested, JobCompleted, JobFailed, InvalidMessage, DeadLetter, HandlerFailed)
    tables = (jobs,)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._runs: set[str] = set()
        """Runs whose job counts changed in this transaction."""

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, JobRequested):
            self._requested(seq, env, p)
        elif isinstance(p, JobCompleted):
            self._final(seq, env, JobState.completed, None)
        elif isinstance(p, JobFailed):
            reason = p.why
            self._final(seq, env, JobState.failed, f"{env.type}: {reason}" if reason else env.type)
        elif isinstance(p, InvalidMessage | DeadLetter):
            reason = p.reason if isinstance(p, InvalidMessage) else "dead_letter"
            self._final(seq, env, JobState.failed, f"{env.type}: {reason}")
        elif isinstance(p, HandlerFailed) and env.causation_id:
            self._bump_failures(env.causation_id)

    def flush(self) -> None:
        for run_id in self._runs:
            self._refresh_run(run_id)
        self._runs.clear()

    def _requested(self, seq: int, env: Envelope[Any], p: JobRequested) -> None:
        parent = p.parent or None
        insert_once(
            self.conn, jobs, job_id=env.id, kind=job_kind(env.type), run_id=env.run_id,
            parent_job_id=parent, state=JobState.requested, requested_seq=seq, requested_at=env.ts,
        )  # fmt: skip
        self._runs.add(env.run_id)
        if parent:
            self._refresh_parent(parent)

    def _final(self, seq: int, env: Envelope[Any], outcome: JobState, error: str | None) -> None:
        if not env.causation_id:
            return
        job = self.conn.execute(select(jobs).where(jobs.c.job_id == env.causation_id)).first()
        if job is None or job.outcome is not None:
            return  # not a job, or already final: the first final event wins
        state = job_state(
            outcome, job.attempts_failed, job.children_total,
            job.children_completed, job.children_failed,
        )  # fmt: skip
        self.conn.execute(
            update(jobs)
            .where(jobs.c.job_id == job.job_id)
            .values(outcome=outcome, state=state, final_seq=seq, finished_at=env.ts, error=error)
        )
        self._runs.add(job.run_id)
        if job.parent_job_id:
            self._refresh_parent(job.parent_job_id)

    def _bump_failures(self, job_id: str) -> None:
        job = self.conn.execute(select(jobs).where(jobs.c.job_id == job_id)).first()
        if job is None:
            return
        attempts = job.attempts_failed + 1
        state = job_state(
            job.outcome, attempts, job.children_total, job.children_completed, job.children_failed
        )
        self.conn.execute(
            update(jobs)
            .where(jobs.c.job_id == job_id)
            .values(attempts_failed=attempts, state=state)
        )

    def _refresh_parent(self, parent_id: str) -> None:
        """Recount a batch job's children and derive its state; then its own parent's."""
        seen: set[str] = set()
        current: str | None = parent_id
        while current and current not in seen:
            seen.add(current)
            job = self.conn.execute(select(jobs).where(jobs.c.job_id == current)).first()
            if job is None:
                return
            counts: dict[str, int] = dict(
                self.conn.execute(
                    select(jobs.c.state, func.count()).where(jobs.c.parent_job_id == current)
                    .group_by(jobs.c.state)
                ).all()
            )  # fmt: skip
            total = sum(counts.values())
            completed = counts.get(JobState.completed, 0)
            failed = counts.get(JobState.failed, 0) + counts.get(JobState.partial, 0)
            state = job_state(job.outcome, job.attempts_failed, total, completed, failed)
            finished = job.finished_at
            if state in FINAL_JOB_STATES and finished is None:
                finished = self.conn.execute(
                    select(func.max(jobs.c.finished_at)).where(jobs.c.parent_job_id == current)
                ).scalar()
            self.conn.execute(
                update(jobs)
                .where(jobs.c.job_id == current)
                .values(
                    children_total=total, children_completed=completed,
                    children_failed=failed, state=state, finished_at=finished,
                )
            )  # fmt: skip
            self._runs.add(job.run_id)
            current = job.parent_job_id

    def _refresh_run(self, run_id: str) -> None:
        counts: dict[str, int] = dict(
            self.conn.execute(
                select(jobs.c.state, func.count())
                .where(jobs.c.run_id == run_id)
                .group_by(jobs.c.state)
            ).all()
        )
        done = counts.get(JobState.completed, 0)
        failed = counts.get(JobState.failed, 0) + counts.get(JobState.partial, 0)
        open_ = sum(counts.values()) - done - failed
        self.conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(
                jobs_open=open_, jobs_completed=done, jobs_failed=failed,
                status=run_status(open_, done, failed),
            )
        )  # fmt: skip
