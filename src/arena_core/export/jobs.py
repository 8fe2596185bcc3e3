"""The job a recording belongs to: the one place the export recognises jobs.

A conversation serves the job whose id is its correlation id (a solve job for the
planner, engineer and critic; a benchmark job for the generator's writer). Jobs are read
from the ``jobs`` projection with the reward inputs folded for them (``job_rewards``),
never recognised from event type strings here.
"""

from __future__ import annotations

from typing import Any

from arena_core.db.tables import job_rewards, jobs, runs
from arena_core.export.filters import Outcome

_SUCCESS = frozenset({"completed", "succeeded"})
_FAILURE = frozenset({"failed", "partial"})


def outcome(state: str | None) -> Outcome | None:
    """``success`` / ``failure`` of a job or run state; None while it is open."""
    if state in _SUCCESS:
        return "success"
    if state in _FAILURE:
        return "failure"
    return None


def job_columns() -> tuple[Any, ...]:
    """Columns of the job (and run) a conversation turn serves, for a scan joined by
    ``join_jobs``: job state, run status, job kind, the job's folded reward inputs."""
    return (jobs.c.state, runs.c.status, jobs.c.kind, job_rewards.c.inputs)


def join_jobs(table: Any, correlation: Any, run_id: Any) -> Any:
    """``table`` outer-joined with its job (by correlation id), its reward inputs and
    its run."""
    return (
        table.outerjoin(jobs, jobs.c.job_id == correlation)
        .outerjoin(job_rewards, job_rewards.c.job_id == correlation)
        .outerjoin(runs, runs.c.run_id == run_id)
    )
