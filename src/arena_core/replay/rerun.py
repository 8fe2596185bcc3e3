"""Re-executing a recorded run: the services it needs in this process, the world it saw,
and (with ``llm="replay"``) the answers it got, read from the recording.

    result = await rerun(settings, engine, run_id, from_seq=48, llm="replay")

The services start through the one in-process stack helper (the recorder with them,
unless one already runs), with two providers pinned: the LLM (``replay`` answers from
the source run's recorded ``llm.call.completed``) and the shared state (the source
run's prompt versions, the skills recorded before it). Nothing is written to the
source run: the redrive publishes under a new run id, and parents that are not
re-published are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping

from dependency_injector import providers
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import BaseModel
from sqlalchemy import Engine, func, select

from arena_core.bus import Bus
from arena_core.container import close_resources, container_for
from arena_core.db.tables import messages
from arena_core.events import DecodeError, decode
from arena_core.events.jobs import JobCompleted, JobFailed
from arena_core.events.wire import HEADER_RUN
from arena_core.llm import make_llm
from arena_core.replay.recorded import recorded_calls
from arena_core.replay.redrive import RedrivePlan, plan_redrive, redrive
from arena_core.replay.world import pinned_state
from arena_core.settings import LlmPolicyName, Settings
from arena_core.stack import (
    RECORDER,
    load_service,
    nats_for,
    probe_health,
    service_names,
    services_in_process,
)


async def _running(settings: Settings) -> set[str]:
    health = await probe_health(str(settings.nats_url), wait_s=0.5)
    return {h.service for h in health if h.status == "running"}


async def _recorded(bus: Bus, engine: Engine, within_s: float = 30.0) -> None:
    """Wait (a while at most) until the recorder has everything now in the stream."""
    last = int((await bus.js.stream_info(bus.stream.name)).state.last_seq)
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while loop.time() < end:
        with engine.connect() as conn:
            if (conn.execute(select(func.max(messages.c.seq))).scalar() or 0) >= last:
                return
        await asyncio.sleep(0.1)


def handled_types() -> dict[str, set[str]]:
    """Installed service -> the event types it consumes."""
    found: dict[str, set[str]] = {}
    for name in service_names():
        cls = load_service(name)
        for attr in dir(cls):
            for event_type in getattr(getattr(cls, attr, None), "__arena_handles__", ()):
                found.setdefault(name, set()).add(event_type)
    return found


def job_consumers() -> dict[str, str]:
    """Request event type -> the installed service that consumes it."""
    return {
        event_type: name
        for name, types in sorted(handled_types().items())
        for event_type in sorted(types)
        if event_type.endswith(".job.requested")
    }


def services_for(engine: Engine, run_id: str, from_seq: int) -> list[str]:
    """Services that consumed something the run recorded from ``from_seq`` on."""
    with engine.connect() as conn:
        seen = set(
            conn.execute(
                select(messages.c.type)
                .where(messages.c.run_id == run_id, messages.c.seq >= from_seq)
                .distinct()
            ).scalars()
        )
    return sorted(name for name, types in handled_types().items() if types & seen)


class JobOutcome(BaseModel):
    """How one re-published job ended."""

    source_seq: int
    """Sequence of the recorded request."""
    type: str
    """The request's event type."""
    job_id: str
    """The new request's id."""
    answer: str | None = None
    """The answer's event type (None: none before the deadline)."""
    detail: str | None = None
    """Why it failed (a failure's reason and detail)."""

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.detail is None


class RedriveResult(BaseModel):
    """What ``arena redrive`` did."""

    source_run_id: str
    """The recorded run."""
    run_id: str
    """The new run."""
    from_seq: int
    """First sequence considered."""
    llm: str
    """Policy the agents ran on."""
    jobs: list[JobOutcome]
    """Each re-published job and how it ended."""
    skipped: list[str] = []
    """Job types not re-published (no service consumes them)."""

    @property
    def ok(self) -> bool:
        return all(j.ok for j in self.jobs)


async def rerun(
    settings: Settings,
    engine: Engine,
    run_id: str,
    *,
    from_seq: int = 0,
    llm: LlmPolicyName = "replay",
    prompts: Mapping[str, str] | None = None,
    timeout_s: float = 900.0,
    plan: RedrivePlan | None = None,
    on_answer: Callable[[JobOutcome], None] = lambda _: None,
) -> RedriveResult:
    """Re-execute ``run_id`` from ``from_seq``; return once every job is answered."""
    consumed = frozenset(job_consumers())
    plan = plan or plan_redrive(engine, run_id, from_seq=from_seq, consumed=consumed)
    needed = services_for(engine, run_id, min(plan.source_seqs))
    with nats_for(settings.model_copy(update={"llm": llm})) as live:
        container = container_for(live)
        if llm == "replay":
            recorded = recorded_calls(engine, run_id)
            recorded.renamed = {
                env.id: old for env, old in zip(plan.envelopes, plan.source_ids, strict=True)
            }
            container.llm.override(providers.Factory(make_llm, settings=live, recorded=recorded))
        bus = container.bus()
        await bus.connect()
        container.state.override(
            providers.Object(pinned_state(bus, engine, run_id, prompts=prompts))
        )
        outcomes = {
            env.id: JobOutcome(source_seq=seq, type=env.type, job_id=env.id)
            for seq, env in zip(plan.source_seqs, plan.envelopes, strict=True)
        }
        done = asyncio.Event()

        async def on_message(msg: Msg) -> None:
            if (msg.headers or {}).get(HEADER_RUN) != plan.new_run_id:
                return
            try:
                env = decode(msg.subject, msg.data, msg.headers, events=bus.events)
            except DecodeError:
                return
            job = outcomes.get(env.causation_id or "")
            if job is None or job.answer is not None:
                return
            if isinstance(env.payload, JobCompleted | JobFailed):
                job.answer = env.type
                if isinstance(env.payload, JobFailed):
                    detail = getattr(env.payload, "detail", None) or ""
                    job.detail = f"{env.payload.why or 'failed'}: {detail}".strip(": ")
                on_answer(job)
                if all(j.answer is not None for j in outcomes.values()):
                    done.set()

        running = await _running(live) if settings.nats_url else set()
        record = RECORDER not in running
        async with services_in_process(live, needed, record=record, container=container):
            sub = await bus.js.subscribe(
                "arena.>",
                ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
                cb=on_message,
                pending_msgs_limit=1_000_000,
            )
            try:
                await redrive(bus, engine, run_id, plan=plan)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), timeout_s)
                if record:
                    await _recorded(bus, engine)
            finally:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
        await close_resources(container)
    return RedriveResult(
        source_run_id=run_id, run_id=plan.new_run_id, from_seq=plan.from_seq, llm=llm,
        jobs=list(outcomes.values()), skipped=plan.skipped,
    )  # fmt: skip
