"""``arena demo``: the whole stack as separate processes, generating and solving benchmarks.

The demo is an ordinary client of the bus: it publishes a ``demo.job.requested`` parent
job, N ``benchmark.job.requested`` children, and a ``solve.job.requested`` for every
accepted benchmark, then follows the run's events until every job is final. Everything
it sees is recorded by the recorder process like any other run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import text

from arena_core.bus import Bus
from arena_core.db import make_engine
from arena_core.errors import ArenaError
from arena_core.events import DecodeError, Envelope, decode
from arena_core.events.benchmark import (
    BenchmarkCreated,
    BenchmarkJobCompleted,
    BenchmarkJobFailed,
    BenchmarkJobRequested,
    BenchmarkRejected,
    BenchmarkReviewStageCompleted,
)
from arena_core.events.demo import DemoJobCompleted, DemoJobRequested, DemoRow
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed, SolveJobRequested
from arena_core.events.errors import DeadLetter, InvalidMessage
from arena_core.events.wire import HEADER_RUN
from arena_core.ids import new_id
from arena_core.stack import ServiceProcesses, WorkerProcess

RECORDER_DURABLE = "recorder"


class StackFailure(ArenaError, RuntimeError):
    """A part of the stack failed: a worker exited, or the run stopped making progress."""


@dataclass
class Progress:
    """Counters the progress bars show."""

    requested: int
    generated: int = 0
    validated: int = 0
    accepted: int = 0
    solve_requested: int = 0
    solved_final: int = 0


@dataclass
class _Job:
    request_id: str
    seed: int
    family: str | None
    started: float
    row: dict[str, Any] = field(default_factory=dict)
    created: Envelope[BenchmarkCreated] | None = None
    solve_id: str | None = None
    done_at: float | None = None
    solve_done: bool = False


class DemoRun:
    """Drives one demo run on a connected bus with the services already running."""

    def __init__(
        self,
        bus: Bus,
        request: DemoJobRequested,
        *,
        on_progress: Callable[[Progress], None] = lambda _: None,
        workers: ServiceProcesses | None = None,
        stall_timeout_s: float = 600.0,
    ) -> None:
        self.bus = bus
        self.request = request
        self.on_progress = on_progress
        self.workers = workers
        self.stall_timeout_s = stall_timeout_s
        self.run_id = new_id()
        self.progress = Progress(requested=request.benchmarks)
        self._jobs: dict[str, _Job] = {}
        self._solves: dict[str, _Job] = {}
        self._changed = asyncio.Event()
        self._last_change = 0.0
        self._parent_id = ""
        self._first_solve_at: float | None = None
        self._last_solve_at: float | None = None

    async def run(self) -> DemoJobCompleted:
        start = time.monotonic()
        self._last_change = start
        parent = Envelope.new(self.request, run_id=self.run_id)
        self._parent_id = parent.id
        sub = await self._follow()
        try:
            await self.bus.publish(parent)
            requests = []
            families = self.request.families
            for i in range(self.request.benchmarks):
                family = families[i % len(families)] if families else None
                payload = BenchmarkJobRequested(
                    family=family, seed=self.request.seed + i, parent_job_id=parent.id
                )
                env = Envelope.new(payload, run_id=self.run_id, causation_id=parent.id)
                self._jobs[env.id] = _Job(env.id, payload.seed, family, time.monotonic())
                requests.append(env)
            await self.bus.publish_many(requests)
            while not self._finished():
                self._check_workers()
                if time.monotonic() - self._last_change > self.stall_timeout_s:
                    raise StackFailure(
                        f"no progress for {self.stall_timeout_s:g}s "
                        f"({self._pending_summary()}); see the service logs"
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 1.0)
                self._changed.clear()
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        summary = DemoJobCompleted(
            generated=self.progress.generated,
            accepted=self.progress.accepted,
            solved=sum(1 for j in self._jobs.values() if j.row.get("solved")),
            wall_s=round(time.monotonic() - start, 3),
            solve_wall_s=round((self._last_solve_at or 0) - (self._first_solve_at or 0), 3),
            rows=tuple(self._row(j) for j in self._jobs.values()),
        )
        await self.bus.publish(parent.follow(summary))
        return summary

    # -- following the run ------------------------------------------------------------

    async def _follow(self) -> Any:
        """An ordered consumer over the stream, from now on, keeping this run's events."""
        return await self.bus.js.subscribe(
            "arena.>",
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
            cb=self._on_message,
            pending_msgs_limit=1_000_000,
        )

    async def _on_message(self, msg: Msg) -> None:
        if (msg.headers or {}).get(HEADER_RUN) != self.run_id:
            return
        try:
            env = decode(msg.subject, msg.data, msg.headers, events=self.bus.events)
        except DecodeError:
            return
        await self._apply(env)

    async def _apply(self, env: Envelope[Any]) -> None:
        payload = env.payload
        job = self._jobs.get(env.causation_id or "")
        solve = self._solves.get(env.causation_id or "")
        now = time.monotonic()
        if isinstance(payload, DeadLetter | InvalidMessage):
            # An error anywhere in a job's thread (same correlation id) ends that job.
            failed = self._jobs.get(env.correlation_id) or self._solves.get(env.correlation_id)
            if failed is None:
                return
            detail = payload.last_error if isinstance(payload, DeadLetter) else payload.detail
            note = f"{env.type}: {detail or 'handler kept failing'}"
            if failed.solve_id == env.correlation_id:
                self._finish_solve(failed, now)
                failed.row.update(solved=False, outcome=payload.EVENT_TYPE.split(".")[-1])
            elif failed.done_at is None:
                failed.done_at = now
                self.progress.generated += 1
                failed.row["outcome"] = payload.EVENT_TYPE.split(".")[-1]
            failed.row["note"] = note[:120]
        elif isinstance(payload, BenchmarkReviewStageCompleted) and job is not None:
            job.family = payload.family
            if payload.stage == "physics" and payload.passed and not job.row.get("validated"):
                job.row["validated"] = True
                self.progress.validated += 1
        elif isinstance(payload, BenchmarkCreated) and job is not None:
            job.created = env
        elif isinstance(payload, BenchmarkRejected) and job is not None:
            job.family = payload.family
            job.row["note"] = f"rejected at {payload.stage}: {payload.reasons[0].detail}"[:120]
        elif isinstance(payload, BenchmarkJobCompleted) and job is not None and not job.done_at:
            job.family, job.done_at = payload.family, now
            job.row.update(benchmark_id=payload.benchmark_id, valid=True, attempts=payload.attempts)
            self.progress.generated += 1
            self.progress.accepted += 1
            if not job.row.get("validated"):
                job.row["validated"] = True
                self.progress.validated += 1
            await self._request_solve(job, env)
        elif isinstance(payload, BenchmarkJobFailed) and job is not None and not job.done_at:
            job.family, job.done_at = payload.family, now
            job.row.update(attempts=payload.attempts, outcome=str(payload.reason))
            job.row.setdefault("note", payload.detail[:120])
            self.progress.generated += 1
        elif isinstance(payload, SolveJobCompleted) and solve is not None:
            self._finish_solve(solve, now)
            solve.row.update(
                solved=payload.solved,
                outcome=str(payload.outcome),
                cost=payload.cost,
                max_cost=payload.max_cost,
                mass_kg=payload.mass_kg,
                max_mass_kg=payload.max_mass_kg,
                sim_calls=payload.sim_calls,
                tokens=payload.tokens,
                attempts=solve.row.get("attempts", 0) + payload.submissions,
            )
            if not payload.solved and payload.reasons:
                solve.row["note"] = "; ".join(payload.reasons)[:120]
        elif isinstance(payload, SolveJobFailed) and solve is not None:
            self._finish_solve(solve, now)
            solve.row.update(solved=False, outcome=str(payload.reason), note=payload.detail[:120])
        else:
            return
        self._last_change = now
        self.on_progress(self.progress)
        self._changed.set()

    async def _request_solve(self, job: _Job, completed: Envelope[Any]) -> None:
        created = job.created
        if created is None:  # the created event always precedes the job's completion
            raise StackFailure(f"benchmark job {job.request_id} completed without a benchmark")
        spec_payload = created.payload
        request = SolveJobRequested(
            benchmark_id=spec_payload.benchmark_id,
            spec=spec_payload.spec,
            meshes=spec_payload.meshes,
            key=f"{self.run_id}/{spec_payload.benchmark_id}",
            parent_job_id=self._parent_id,
        )
        env = Envelope.new(request, run_id=self.run_id, causation_id=completed.id)
        job.solve_id = env.id
        self._solves[env.id] = job
        if self._first_solve_at is None:
            self._first_solve_at = time.monotonic()
        self.progress.solve_requested += 1
        await self.bus.publish(env)

    def _finish_solve(self, job: _Job, now: float) -> None:
        if not job.solve_done:
            job.solve_done = True
            job.done_at = now
            self._last_solve_at = now
            self.progress.solved_final += 1

    def _finished(self) -> bool:
        return self.progress.generated == self.progress.requested and all(
            j.solve_done for j in self._jobs.values() if j.solve_id is not None
        )

    def _pending_summary(self) -> str:
        gen = self.progress.requested - self.progress.generated
        solves = sum(1 for j in self._jobs.values() if j.solve_id and not j.solve_done)
        return f"{gen} generate and {solves} solve jobs unfinished"

    def _check_workers(self) -> None:
        if self.workers is None:
            return
        crashed: list[WorkerProcess] = self.workers.crashed()
        if crashed:
            names = ", ".join(
                f"{w.service} (exit {w.proc.returncode}, log {w.log_path})" for w in crashed
            )
            raise StackFailure(f"worker process exited: {names}")

    def _row(self, job: _Job) -> DemoRow:
        end = job.done_at or time.monotonic()
        return DemoRow(
            job_id=job.request_id,
            family=job.family,
            seed=job.seed,
            wall_s=round(end - job.started, 2),
            **{k: v for k, v in job.row.items() if k != "validated"},
        )


async def wait_for_recorder(bus: Bus, timeout_s: float = 120.0) -> int:
    """Wait until the recorder has committed everything on the stream; return the count."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while True:
        stream = await bus.js.stream_info(bus.stream.name)
        try:
            info = await bus.js.consumer_info(bus.stream.name, RECORDER_DURABLE)
        except nats.errors.Error:
            info = None
        last = int(stream.state.last_seq)
        if info is not None and info.ack_floor.stream_seq >= last:
            return last
        if loop.time() > end:
            raise StackFailure(f"the recorder did not catch up with sequence {last} in time")
        await asyncio.sleep(0.2)


@dataclass(frozen=True)
class Recording:
    """Where a run was recorded, and proof that nothing is missing from it."""

    run_id: str
    database: Path
    stream_messages: int
    """Messages on the stream once the recorder caught up."""
    recorded: int
    """Rows of the ``messages`` table then."""


async def recording_of(bus: Bus, run_id: str, database: Path) -> Recording:
    """Wait until the recorder has committed the whole stream; then count both sides."""
    await wait_for_recorder(bus)
    info = await bus.js.stream_info(bus.stream.name)
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            recorded = int(conn.execute(text("SELECT count(*) FROM messages")).scalar_one())
    finally:
        engine.dispose()
    return Recording(run_id, database.resolve(), int(info.state.messages), recorded)
