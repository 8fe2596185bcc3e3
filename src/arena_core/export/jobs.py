"""The job a recording belongs to: the one place the export recognises jobs.

A conversation serves the job whose id is its correlation id (a solve job for the
planner, engineer and critic; a benchmark job for the generator's writer). Jobs are read
from the ``jobs`` projection, never recognised from event type strings here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from arena_core.db.tables import jobs, runs
from arena_core.export.filters import Outcome

_SUCCESS = frozenset({"completed", "succeeded"})
_FAILURE = frozenset({"failed", "partial"})


@dataclass(frozen=True)
class JobRef:
    """A job as the export needs it."""

    job_id: str
    """Id of the request event (the correlation id of its conversations)."""
    kind: str
    """``solve``, ``benchmark``, ``sim``, ..."""
    run_id: str
    """Run of the job."""
    state: str
    """Its ``JobState``."""
    requested_seq: int
    """Sequence of the request."""
    final_seq: int | None
    """Sequence of the event that made it final (None while open)."""


def outcome(state: str | None) -> Outcome | None:
    """``success`` / ``failure`` of a job or run state; None while it is open."""
    if state in _SUCCESS:
        return "success"
    if state in _FAILURE:
        return "failure"
    return None


def job_columns() -> tuple[Any, ...]:
    """Columns of the job (and run) a conversation turn serves, for a scan joined by
    ``join_jobs``: job state, run status."""
    return (jobs.c.state, runs.c.status)


def join_jobs(table: Any, correlation: Any, run_id: Any) -> Any:
    """``table`` outer-joined with its job (by correlation id) and its run."""
    return table.outerjoin(jobs, jobs.c.job_id == correlation).outerjoin(
        runs, runs.c.run_id == run_id
    )


class Jobs:
    """Job lookups on one connection, cached (many conversations share a job)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[str, JobRef | None] = {}

    def get(self, job_id: str) -> JobRef | None:
        """The job ``job_id``, or None when no such job was requested."""
        if job_id not in self._cache:
            row = self.conn.execute(
                select(jobs.c.job_id, jobs.c.kind, jobs.c.run_id, jobs.c.state,
                       jobs.c.requested_seq, jobs.c.final_seq).where(jobs.c.job_id == job_id)
            ).first()  # fmt: skip
            self._cache[job_id] = JobRef(*row) if row is not None else None
        return self._cache[job_id]

    def outcome(self, run_id: str, job_id: str) -> Outcome | None:
        """Outcome of the job ``job_id``, else of the run."""
        job = self.get(job_id)
        if job is not None:
            return outcome(job.state)
        status = self.conn.execute(select(runs.c.status).where(runs.c.run_id == run_id)).scalar()
        return outcome(status)
