"""The job a recording belongs to: the one place the export recognises jobs.

A conversation serves the job whose id is its correlation id (a solve job for the
planner, engineer and critic; a benchmark job for the generator's writer). Jobs are read
from the ``jobs`` projection with the reward inputs folded for them (``job_rewards``),
never recognised from event type strings here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

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


def jobs_of(conn: Connection, correlations: Any) -> dict[str, tuple[str, str, str | None]]:
    """By job id, for the jobs whose ids ``correlations`` (a subquery) selects: the job's
    state, kind and folded reward inputs (a ``job_rewards`` row; None when it has none).
    Read once, not joined to each turn of the many conversations that serve one job."""
    query = (
        select(jobs.c.job_id, jobs.c.state, jobs.c.kind, job_rewards.c.inputs)
        .select_from(jobs.outerjoin(job_rewards, job_rewards.c.job_id == jobs.c.job_id))
        .where(jobs.c.job_id.in_(correlations))
    )
    return {job_id: (state, kind, inputs) for job_id, state, kind, inputs in conn.execute(query)}


def run_states(conn: Connection, run_ids: Any) -> dict[str, str]:
    """By run id, for the runs ``run_ids`` (a subquery) selects: the run's status."""
    query = select(runs.c.run_id, runs.c.status).where(runs.c.run_id.in_(run_ids))
    return {run_id: status for run_id, status in conn.execute(query)}
