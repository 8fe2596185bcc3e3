"""Runs: one row per run id, with counts, spend and simulated time of its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update

from arena_core.db.projections.base import Projection, RecordedMessage, add
from arena_core.db.tables import runs
from arena_core.events import Envelope
from arena_core.events.agent import RunTotalsUpdated
from arena_core.events.jobs import JobCompleted
from arena_core.events.llm import LlmCallCompleted


class RunStatus(StrEnum):
    """Where a run stands, from its jobs."""

    recorded = "recorded"
    """Events but no jobs (e.g. service lifecycle)."""
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    partial = "partial"


def run_status(jobs_open: int, jobs_completed: int, jobs_failed: int) -> RunStatus:
    """The status of a run from the states of its jobs."""
    if jobs_open:
        return RunStatus.running
    if jobs_failed:
        return RunStatus.partial if jobs_completed else RunStatus.failed
    return RunStatus.succeeded if jobs_completed else RunStatus.recorded


@dataclass
class _RunDelta:
    kind: str
    first_seq: int
    last_seq: int
    started_at: datetime
    ended_at: datetime
    events: int = 0
    invalid_events: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    sim_time_set: float | None = None
    """Latest ``run.totals.updated`` total in this batch (replaces the stored value)."""
    sim_time_added: float = 0.0
    """Simulated seconds reported by jobs completed after that total."""


class RunsProjection(Projection):
    """Every message counts towards its run; LLM answers and jobs add spend and time.

    The job columns (``jobs_*``, ``status``) are the jobs projection's, written after
    these rows exist.
    """

    name = "runs"
    events = (LlmCallCompleted, RunTotalsUpdated, JobCompleted)
    tables = (runs,)
    every_message = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._runs: dict[str, _RunDelta] = {}

    def see(self, seq: int, row: RecordedMessage) -> None:
        run_id = row.run_id
        ts = row.ts or row.stream_ts
        if not run_id or ts is None:
            return
        delta = self._runs.get(run_id)
        if delta is None:
            kind = (row.type or "unknown").split(".", 1)[0]
            delta = self._runs[run_id] = _RunDelta(kind, seq, seq, ts, ts)
        delta.last_seq = seq
        delta.ended_at = max(delta.ended_at, ts)
        delta.events += 1
        if not row.valid:
            delta.invalid_events += 1

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        delta = self._runs.get(env.run_id)
        if delta is None:
            return
        p = env.payload
        if isinstance(p, LlmCallCompleted):
            delta.input_tokens += p.usage.input_tokens
            delta.output_tokens += p.usage.output_tokens
            delta.cost_usd = add(delta.cost_usd, p.cost_usd)
        elif isinstance(p, RunTotalsUpdated):
            delta.sim_time_set, delta.sim_time_added = p.sim_time_s, 0.0
        elif isinstance(p, JobCompleted) and p.simulated_s is not None:
            delta.sim_time_added = add(delta.sim_time_added, float(p.simulated_s))

    def flush(self) -> None:
        for run_id, d in self._runs.items():
            existing = self.conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
            if existing is None:
                self.conn.execute(
                    insert(runs).values(
                        run_id=run_id, kind=d.kind, status=RunStatus.recorded,
                        started_at=d.started_at, ended_at=d.ended_at,
                        first_seq=d.first_seq, last_seq=d.last_seq, events=d.events,
                        invalid_events=d.invalid_events, input_tokens=d.input_tokens,
                        output_tokens=d.output_tokens, cost_usd=d.cost_usd,
                        sim_time_s=add(d.sim_time_set or 0.0, d.sim_time_added),
                    )
                )  # fmt: skip
                continue
            values: dict[str, Any] = {
                "ended_at": max(existing.ended_at, d.ended_at),
                "last_seq": d.last_seq,
                "events": runs.c.events + d.events,
                "invalid_events": runs.c.invalid_events + d.invalid_events,
                "input_tokens": runs.c.input_tokens + d.input_tokens,
                "output_tokens": runs.c.output_tokens + d.output_tokens,
                # Sum in integer nano-units so any batching gives the same float.
                "cost_usd": add(existing.cost_usd, d.cost_usd),
            }
            base = existing.sim_time_s if d.sim_time_set is None else d.sim_time_set
            values["sim_time_s"] = add(base, d.sim_time_added)
            self.conn.execute(update(runs).where(runs.c.run_id == run_id).values(**values))
        self._runs.clear()
