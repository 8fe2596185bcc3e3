"""Re-publishing a recorded run's inputs (its job requests) under a new run id.

The inputs from ``from_seq`` on are the job requests at or after it whose cause lies
before it (or outside the run): requests caused by later events are re-created by the
services as they handle the re-published ones, so publishing them too would double
the work. A job no service consumes (``demo``: its driver is the command that ran it)
is not re-published; the requests its driver published (no agent) are, so a demo
re-executes its generate and solve jobs. Ids are fresh; references between
re-published requests (correlation, ``parent_job_id``) are mapped to the new ids, and
a parent that is not re-published is dropped, so the source run's jobs never gain a
child.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db.tables import messages
from arena_core.errors import ArenaError
from arena_core.events import Envelope, decode
from arena_core.events.replay import RedriveStarted
from arena_core.ids import new_id
from arena_core.jobs import job_kinds


class NothingToRedrive(ArenaError, LookupError):
    """The run has no job requests to re-publish from that point."""


class NoConsumer(ArenaError, ValueError):
    """Every request to re-publish is of a job type no installed service consumes."""


class RedrivePlan(BaseModel):
    """What a redrive will publish."""

    source_run_id: str
    """The recorded run."""
    new_run_id: str
    """The run id the inputs are published under."""
    from_seq: int
    """First sequence considered."""
    envelopes: list[Envelope[Any]]
    """The re-created requests, in recorded order."""
    source_seqs: list[int]
    """Recorded sequences of those requests."""
    source_ids: list[str] = []
    """Recorded ids of those requests (ids derived from them map back to the recording)."""
    skipped: list[str] = []
    """Job types found but not re-published (no service consumes them)."""


def plan_redrive(
    engine: Engine,
    run_id: str,
    *,
    from_seq: int = 0,
    new_run_id: str | None = None,
    consumed: frozenset[str] | None = None,
) -> RedrivePlan:
    """Decide which recorded requests to re-publish and build their new envelopes.

    ``consumed``: the request types some service consumes (None: all of them).
    """
    with engine.connect() as conn:
        ids_before = {
            r.msg_id: r.seq
            for r in conn.execute(
                select(messages.c.msg_id, messages.c.seq).where(
                    messages.c.run_id == run_id, messages.c.valid.is_(True)
                )
            )
        }
        rows = conn.execute(
            select(messages)
            .where(
                messages.c.run_id == run_id,
                messages.c.seq >= from_seq,
                messages.c.valid.is_(True),
                messages.c.type.in_(sorted(k.request.EVENT_TYPE for k in job_kinds().values())),
            )
            .order_by(messages.c.seq)
        ).all()
    served = [r for r in rows if consumed is None or r.type in consumed]
    skipped = sorted({r.type for r in rows} - {r.type for r in served})
    # A driver's job ran here (no service consumes it): the jobs it published are inputs.
    drivers = {r.msg_id for r in rows if r.type in skipped}
    inputs = [
        r
        for r in served
        if r.causation_id is None
        or r.causation_id not in ids_before
        or ids_before[r.causation_id] < from_seq
        or orjson.loads(r.body)["payload"].get("parent_job_id") in drivers
    ]
    if not inputs and skipped:
        raise NoConsumer(
            f"run {run_id}: no installed service consumes {', '.join(skipped)}; "
            "redrive from the sequence of a job that one consumes"
        )
    if not inputs:
        raise NothingToRedrive(f"run {run_id} has no job requests at or after seq {from_seq}")
    target = new_run_id or new_id()
    id_map: dict[str, str] = {run_id: target}
    for r in inputs:
        id_map[r.msg_id] = new_id()
    envelopes: list[Envelope[Any]] = []
    for r in inputs:
        original = decode(r.subject, r.body, orjson.loads(r.headers))
        data = orjson.loads(r.body)
        data["payload"] = _remap(data["payload"], id_map)
        if data["payload"].get("parent_job_id") not in id_map.values():
            data["payload"].pop("parent_job_id", None)
        payload = type(original.payload).model_validate(data["payload"])
        envelopes.append(
            Envelope.new(
                payload,
                id=id_map[r.msg_id],
                run_id=target,
                correlation_id=id_map.get(original.correlation_id, id_map[r.msg_id]),
                causation_id=None,
                agent=original.agent,
            )
        )
    return RedrivePlan(
        source_run_id=run_id, new_run_id=target, from_seq=from_seq, envelopes=envelopes,
        source_seqs=[r.seq for r in inputs], source_ids=[r.msg_id for r in inputs],
        skipped=skipped,
    )  # fmt: skip


def _remap(value: Any, id_map: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _remap(v, id_map) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, id_map) for v in value]
    if isinstance(value, str):
        return id_map.get(value, value)
    return value


async def redrive(
    bus: Bus,
    engine: Engine,
    run_id: str,
    *,
    from_seq: int = 0,
    new_run_id: str | None = None,
    plan: RedrivePlan | None = None,
) -> RedrivePlan:
    """Publish a ``replay.redrive.started`` marker, then the re-created requests."""
    plan = plan or plan_redrive(engine, run_id, from_seq=from_seq, new_run_id=new_run_id)
    marker = Envelope.new(
        RedriveStarted(
            source_run_id=run_id, from_seq=plan.from_seq, requests=len(plan.envelopes),
            source_seqs=tuple(plan.source_seqs),
        ),
        run_id=plan.new_run_id,
    )  # fmt: skip
    await bus.publish(marker)
    await bus.publish_many(plan.envelopes)
    return plan
