"""Finding runs: listing them and resolving a run id prefix (like git)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.db.tables import runs
from arena_core.errors import ArenaError


class UnknownRun(ArenaError, LookupError):
    """No recorded run id starts with the given prefix."""


class AmbiguousRun(ArenaError, LookupError):
    """Several recorded run ids start with the given prefix."""

    def __init__(self, prefix: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:5]) + (" ..." if len(matches) > 5 else "")
        super().__init__(f"run prefix {prefix!r} matches {len(matches)} runs: {shown}")
        self.matches = matches


class RunSummary(BaseModel):
    """One line of ``arena runs``."""

    run_id: str
    """The run id."""
    kind: str
    """Domain of the run's first event."""
    status: str
    """A ``RunStatus``."""
    started_at: datetime
    """First event."""
    duration_s: float
    """From the first to the latest event."""
    events: int
    """Messages recorded."""
    tokens: int
    """LLM input plus output tokens."""
    cost_usd: float
    """LLM cost."""
    sim_time_s: float
    """Simulated seconds."""
    jobs_failed: int
    """Failed jobs."""


def resolve_run(engine: Engine, prefix: str) -> str:
    """The one run id starting with ``prefix``."""
    if not prefix:
        raise UnknownRun("empty run id")
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with engine.connect() as conn:
        found = (
            conn.execute(
                select(runs.c.run_id)
                .where(runs.c.run_id.like(escaped + "%", escape="\\"))
                .limit(50)
            )
            .scalars()
            .all()
        )
    if prefix in found:
        return prefix
    if not found:
        raise UnknownRun(f"no recorded run starts with {prefix!r}")
    if len(found) > 1:
        raise AmbiguousRun(prefix, list(found))
    return str(found[0])


def list_runs(engine: Engine, *, limit: int = 50, kind: str | None = None) -> list[RunSummary]:
    """The most recent runs first."""
    query = select(runs).order_by(runs.c.last_seq.desc()).limit(limit)
    if kind:
        query = query.where(runs.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        RunSummary(
            run_id=r.run_id,
            kind=r.kind,
            status=r.status,
            started_at=r.started_at,
            duration_s=(r.ended_at - r.started_at).total_seconds(),
            events=r.events,
            tokens=r.input_tokens + r.output_tokens,
            cost_usd=r.cost_usd,
            sim_time_s=r.sim_time_s,
            jobs_failed=r.jobs_failed,
        )
        for r in rows
    ]
