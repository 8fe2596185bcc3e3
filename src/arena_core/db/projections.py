"""Projections derived from the message log: runs, jobs, conversations, artifacts.

``Projector.apply`` folds one recorded message into the projection tables inside the
caller's transaction. The recorder calls it as it commits each batch; ``rebuild``
drops the projections and folds the whole log again in sequence order. Both paths run
the same code in the same order, so they produce the same rows.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from arena_core.db import access
from arena_core.db.benchmarks import benchmarks
from arena_core.db.benchmarks import fold as fold_benchmark
from arena_core.db.tables import (
    artifact_chunks,
    artifact_links,
    artifacts,
    conversation_events,
    cursors,
    jobs,
    messages,
    runs,
    turns,
)
from arena_core.events import DecodeError, Envelope, decode
from arena_core.events.agent import (
    AgentThoughtRecorded,
    AgentToolCalled,
    AgentToolCompleted,
    RunTotalsUpdated,
)
from arena_core.events.artifacts import ArtifactStored
from arena_core.events.errors import DeadLetter, HandlerFailed, InvalidMessage
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested

PROJECTION = "core"
"""Name of the cursor row shared by every projection in this module."""

FAILED_STOP_PREFIX = "failed:"
"""``stop_reason`` prefix of a turn answered by ``llm.call.failed``."""

_JOB_REQUESTED = ".job.requested"
_JOB_COMPLETED = ".job.completed"
_JOB_FAILED = ".job.failed"


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


class RunStatus(StrEnum):
    """Where a run stands, from its jobs."""

    recorded = "recorded"
    """Events but no jobs (e.g. service lifecycle)."""
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    partial = "partial"


FINAL_JOB_STATES = frozenset({JobState.completed, JobState.failed, JobState.partial})


def _add(a: float, b: float) -> float:
    """``a + b`` rounded to 1e-9, so sums do not depend on how they were grouped."""
    return (round(a * 1e9) + round(b * 1e9)) / 1e9


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


def run_status(jobs_open: int, jobs_completed: int, jobs_failed: int) -> RunStatus:
    if jobs_open:
        return RunStatus.running
    if jobs_failed:
        return RunStatus.partial if jobs_completed else RunStatus.failed
    return RunStatus.succeeded if jobs_completed else RunStatus.recorded


class RecordedMessage(Protocol):
    """What the projections read of a ``messages`` row (a table row or a fresh one)."""

    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str | None: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def ts(self) -> datetime | None: ...
    @property
    def stream_ts(self) -> datetime | None: ...
    @property
    def valid(self) -> bool: ...


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


@dataclass
class Projector:
    """Folds messages into the projections within one open transaction."""

    conn: Connection
    workspace: Path | None = None
    """Where completed artifacts are mirrored (``<workspace>/<run_id>/<name>``)."""
    last_seq: int = 0
    _runs: dict[str, _RunDelta] = field(default_factory=dict)
    _job_runs: set[str] = field(default_factory=set)
    _notes: list[tuple[Any, ...]] = field(default_factory=list)
    """Conversation events are only ever inserted: written together at ``flush``."""

    @classmethod
    def open(cls, conn: Connection, workspace: Path | None = None) -> Projector:
        seq = conn.execute(select(cursors.c.last_seq).where(cursors.c.name == PROJECTION)).scalar()
        return cls(conn, workspace, int(seq or 0))

    def apply(self, row: RecordedMessage, envelope: Envelope[Any] | None) -> bool:
        """Fold one message (a ``messages`` row and its decoded envelope, if any).

        Returns False for a message at or below the cursor (already applied).
        """
        seq = int(row.seq)
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        run_id = row.run_id
        ts = row.ts or row.stream_ts
        if run_id and ts is not None:
            delta = self._runs.get(run_id)
            if delta is None:
                kind = (row.type or "unknown").split(".", 1)[0]
                delta = self._runs[run_id] = _RunDelta(kind, seq, seq, ts, ts)
            delta.last_seq = seq
            delta.ended_at = max(delta.ended_at, ts)
            delta.events += 1
            if not row.valid:
                delta.invalid_events += 1
        if envelope is not None:
            self._apply_event(seq, envelope)
        return True

    def flush(self) -> None:
        """Write the run aggregates gathered so far and advance the cursor."""
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
                        sim_time_s=_add(d.sim_time_set or 0.0, d.sim_time_added),
                    )
                )  # fmt: skip
            else:
                values: dict[str, Any] = {
                    "ended_at": max(existing.ended_at, d.ended_at),
                    "last_seq": d.last_seq,
                    "events": runs.c.events + d.events,
                    "invalid_events": runs.c.invalid_events + d.invalid_events,
                    "input_tokens": runs.c.input_tokens + d.input_tokens,
                    "output_tokens": runs.c.output_tokens + d.output_tokens,
                    # Sum in integer nano-units so any batching gives the same float.
                    "cost_usd": _add(existing.cost_usd, d.cost_usd),
                }
                base = existing.sim_time_s if d.sim_time_set is None else d.sim_time_set
                values["sim_time_s"] = _add(base, d.sim_time_added)
                self.conn.execute(update(runs).where(runs.c.run_id == run_id).values(**values))
        if self._notes:
            self.conn.exec_driver_sql(_INSERT_NOTE_SQL, self._notes)
            self._notes.clear()
        for run_id in self._job_runs:
            self._refresh_run_jobs(run_id)
        self._runs.clear()
        self._job_runs.clear()
        cursor = self.conn.execute(
            update(cursors).where(cursors.c.name == PROJECTION).values(last_seq=self.last_seq)
        )
        if cursor.rowcount == 0:
            self.conn.execute(insert(cursors).values(name=PROJECTION, last_seq=self.last_seq))

    # -- events ---------------------------------------------------------------------

    def _delta(self, run_id: str) -> _RunDelta:
        return self._runs[run_id]

    def _apply_event(self, seq: int, env: Envelope[Any]) -> None:
        t = env.type
        p = env.payload
        if t.endswith(_JOB_REQUESTED):
            self._job_requested(seq, env)
        elif t.endswith(_JOB_COMPLETED) or t.endswith(_JOB_FAILED):
            outcome = JobState.completed if t.endswith(_JOB_COMPLETED) else JobState.failed
            error = None
            if outcome is JobState.failed:
                reason = getattr(p, "reason", None) or getattr(p, "error", None)
                error = f"{t}: {reason}" if reason else t
            self._job_final(seq, env, outcome, error)
            sim_time = getattr(p, "sim_time_s", None)
            if isinstance(sim_time, int | float) and outcome is JobState.completed:
                delta = self._delta(env.run_id)
                delta.sim_time_added = _add(delta.sim_time_added, float(sim_time))
        elif isinstance(p, InvalidMessage | DeadLetter):
            reason = p.reason if isinstance(p, InvalidMessage) else "dead_letter"
            self._job_final(seq, env, JobState.failed, f"{t}: {reason}")
        elif isinstance(p, HandlerFailed):
            if env.causation_id:
                self._bump_failures(env.causation_id)
        elif isinstance(p, LlmCallRequested):
            self._llm_requested(seq, env, p)
        elif isinstance(p, LlmCallCompleted | LlmCallFailed):
            self._llm_answered(seq, env, p)
        elif isinstance(p, AgentThoughtRecorded | AgentToolCalled | AgentToolCompleted):
            self._agent_event(seq, env, p)
        elif isinstance(p, RunTotalsUpdated):
            delta = self._delta(env.run_id)
            delta.sim_time_set, delta.sim_time_added = p.sim_time_s, 0.0
        elif isinstance(p, ArtifactStored):
            self._artifact_chunk(seq, env, p)
        elif t.startswith("benchmark."):
            fold_benchmark(self.conn, seq, env)
        elif t.startswith(("api.", "job.batch.")):
            access.fold(self.conn, seq, env)

    # jobs

    def _job_requested(self, seq: int, env: Envelope[Any]) -> None:
        parent = getattr(env.payload, "parent_job_id", None)
        parent = parent if isinstance(parent, str) and parent else None
        self.conn.execute(
            insert(jobs)
            .prefix_with("OR IGNORE")
            .values(
                job_id=env.id, kind=env.type[: -len(_JOB_REQUESTED)], run_id=env.run_id,
                parent_job_id=parent, state=JobState.requested, requested_seq=seq,
                requested_at=env.ts,
            )
        )  # fmt: skip
        self._job_runs.add(env.run_id)
        if parent:
            self._refresh_parent(parent)

    def _job_final(
        self, seq: int, env: Envelope[Any], outcome: JobState, error: str | None
    ) -> None:
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
        self._job_runs.add(job.run_id)
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
            self._job_runs.add(job.run_id)
            current = job.parent_job_id

    def _refresh_run_jobs(self, run_id: str) -> None:
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

    # conversations

    def _llm_requested(self, seq: int, env: Envelope[Any], p: LlmCallRequested) -> None:
        self.conn.execute(
            insert(turns)
            .prefix_with("OR IGNORE")
            .values(
                request_seq=seq, request_id=env.id, conversation_id=p.conversation_id,
                turn_index=p.turn_index, run_id=env.run_id, correlation_id=env.correlation_id,
                agent_role=p.agent_role, agent_id=env.agent.id if env.agent else "",
                model=p.model, prompt_id=p.prompt.id if p.prompt else None,
                prompt_version=p.prompt.version if p.prompt else None,
                request=p.model_dump_json(), ts=env.ts,
            )
        )  # fmt: skip

    def _llm_answered(
        self, seq: int, env: Envelope[Any], p: LlmCallCompleted | LlmCallFailed
    ) -> None:
        turn = self.conn.execute(
            select(turns.c.request_seq)
            .where(
                turns.c.conversation_id == p.conversation_id,
                turns.c.turn_index == p.turn_index,
                turns.c.response_seq.is_(None),
            )
            .order_by(turns.c.request_seq)
            .limit(1)
        ).scalar()
        values: dict[str, Any] = {"response_seq": seq, "response": p.model_dump_json()}
        if isinstance(p, LlmCallCompleted):
            values |= {
                "stop_reason": p.stop_reason,
                "input_tokens": p.usage.input_tokens,
                "output_tokens": p.usage.output_tokens,
                "cost_usd": p.cost_usd,
            }
            delta = self._delta(env.run_id)
            delta.input_tokens += p.usage.input_tokens
            delta.output_tokens += p.usage.output_tokens
            delta.cost_usd = _add(delta.cost_usd, p.cost_usd)
        else:
            values["stop_reason"] = f"{FAILED_STOP_PREFIX}{p.reason}"
        if turn is not None:
            self.conn.execute(update(turns).where(turns.c.request_seq == turn).values(**values))

    def _agent_event(
        self,
        seq: int,
        env: Envelope[Any],
        p: AgentThoughtRecorded | AgentToolCalled | AgentToolCompleted,
    ) -> None:
        # Columns of ``conversation_events`` in table order (see ``_INSERT_NOTE_SQL``).
        head = (seq, p.conversation_id, p.turn_index, env.run_id, p.agent_role)
        values: tuple[Any, ...]
        if isinstance(p, AgentThoughtRecorded):
            values = (*head, "thought", None, None, p.text, False)
        elif isinstance(p, AgentToolCalled):
            args = orjson.dumps(p.arguments).decode()
            values = (*head, "tool_call", p.tool_name, p.tool_use_id, args, False)
        else:
            values = (*head, "tool_result", p.tool_name, p.tool_use_id, p.result, p.is_error)
        self._notes.append(values)

    # artifacts

    def _artifact_chunk(self, seq: int, env: Envelope[Any], p: ArtifactStored) -> None:
        ref = p.ref
        data = base64.b64decode(p.data_b64)
        if p.chunk_count > 1:
            self.conn.execute(
                insert(artifact_chunks)
                .prefix_with("OR IGNORE")
                .values(
                    sha256=ref.sha256, chunk_index=p.chunk_index,
                    chunk_count=p.chunk_count, data=data,
                )
            )  # fmt: skip
            have = self.conn.execute(
                select(func.count()).where(artifact_chunks.c.sha256 == ref.sha256)
            ).scalar_one()
            if have < p.chunk_count:
                return
            pieces = self.conn.execute(
                select(artifact_chunks.c.data)
                .where(artifact_chunks.c.sha256 == ref.sha256)
                .order_by(artifact_chunks.c.chunk_index)
            ).scalars()
            data = b"".join(pieces)
            self.conn.execute(delete(artifact_chunks).where(artifact_chunks.c.sha256 == ref.sha256))
        if hashlib.sha256(data).hexdigest() != ref.sha256 or len(data) != ref.size:
            return  # a corrupt artifact is kept only in the log, never in the store
        self.conn.execute(
            insert(artifacts)
            .prefix_with("OR IGNORE")
            .values(sha256=ref.sha256, size=ref.size, media_type=ref.media_type, data=data,
                    first_seq=seq)
        )  # fmt: skip
        self.conn.execute(
            insert(artifact_links)
            .prefix_with("OR IGNORE")
            .values(run_id=env.run_id, name=ref.name, sha256=ref.sha256)
        )
        if self.workspace is not None:
            mirror(self.workspace, env.run_id, ref.name, data)


def mirror(workspace: Path, run_id: str, name: str, data: bytes) -> Path | None:
    """Write an artifact to ``<workspace>/<run_id>/<name>`` unless the name escapes it."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or "/" in run_id or run_id in ("", ".", ".."):
        return None
    path = workspace / run_id / rel
    if path.is_file() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


_NOTE_COLUMNS = (
    "seq", "conversation_id", "turn_index", "run_id", "agent_role", "kind", "tool_name",
    "tool_use_id", "text", "is_error",
)  # fmt: skip
if tuple(c.name for c in conversation_events.columns) != _NOTE_COLUMNS:
    raise RuntimeError("_NOTE_COLUMNS must list the columns of 'conversation_events' in order")
# Notes are the most frequent projection rows: inserted as plain tuples, in bulk.
_INSERT_NOTE_SQL = (
    f"INSERT OR IGNORE INTO conversation_events ({', '.join(_NOTE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _NOTE_COLUMNS)})"
)

PROJECTION_TABLES = (runs, jobs, turns, conversation_events, benchmarks, *access.TABLES)
"""Tables ``rebuild`` drops and refills (artifacts are content-addressed and kept)."""


def as_recorded(envelope: Envelope[Any]) -> Envelope[Any]:
    """The envelope as it is recorded and projected: a timestamp without offset is UTC."""
    if envelope.ts.tzinfo is None:
        return envelope.model_copy(update={"ts": envelope.ts.replace(tzinfo=UTC)})
    return envelope


def decode_row(row: Any) -> Envelope[Any] | None:
    """The envelope of a stored message, or None when it does not decode."""
    if not row.valid:
        return None
    try:
        return as_recorded(decode(row.subject, row.body, orjson.loads(row.headers)))
    except DecodeError:
        return None


def rebuild(engine: Engine, workspace: Path | None = None, *, chunk: int = 2000) -> int:
    """Drop the projections and fold the whole log again; return the messages folded."""
    folded = 0
    with engine.begin() as conn:
        for table in PROJECTION_TABLES:
            conn.execute(delete(table))
        conn.execute(delete(cursors).where(cursors.c.name == PROJECTION))
        projector = Projector(conn, workspace, 0)
        for rows in _rows_in(conn, chunk):
            for row in rows:
                projector.apply(row, decode_row(row))
                folded += 1
            projector.flush()
    return folded


def _rows_in(conn: Connection, chunk: int) -> Iterator[list[Any]]:
    last = 0
    while True:
        rows = conn.execute(
            select(messages).where(messages.c.seq > last).order_by(messages.c.seq).limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].seq
        yield list(rows)
