"""Putting the API's envelopes on the bus, and re-publishing recorded job requests."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from arena_core.api.context import ApiContext
from arena_core.api.problems import ApiProblem, ProblemKind
from arena_core.events import DecodeError, Envelope, decode
from arena_core.events.job_control import BatchRetried, RetriedChild
from arena_core.ids import new_id

log = logging.getLogger("arena.api")


async def publish(ctx: ApiContext, envelope: Envelope[Any]) -> int:
    """Publish and wait for JetStream's acknowledgement; 503 when the bus is down."""
    if ctx.bus is None:
        raise ApiProblem(ProblemKind.bus_unavailable, "the API is not connected to NATS")
    try:
        return await ctx.bus.publish(envelope)
    except Exception as exc:  # any bus failure is the same answer to the client
        log.warning("publish of %s failed: %s", envelope.type, type(exc).__name__)
        raise ApiProblem(
            ProblemKind.bus_unavailable, f"{envelope.type} was not stored by the bus"
        ) from None


async def republish_request(
    ctx: ApiContext, batch_id: str, run_id: str | None, requests: dict[str, Any]
) -> list[RetriedChild]:
    """Record which failed children are retried, then publish each request again."""
    again: list[tuple[RetriedChild, Envelope[Any]]] = []
    for failed_id, row in requests.items():
        try:
            old = decode(row.subject, row.body, orjson.loads(row.headers))
        except DecodeError:
            continue  # a request that no longer decodes cannot be sent again
        fresh_id = new_id()
        fresh = old.with_ids(id=fresh_id, correlation_id=fresh_id, causation_id=failed_id)
        again.append((RetriedChild(failed_job_id=failed_id, new_job_id=fresh_id), fresh))
    children = tuple(child for child, _ in again)
    if children:
        marker = BatchRetried(job_id=batch_id, children=children)
        await publish(ctx, Envelope.new(marker, run_id=run_id, correlation_id=batch_id))
        for child, envelope in again:
            await publish(ctx, envelope.with_ids(ts=datetime.now(UTC)))
            ctx.remember(child.new_job_id, envelope.type.split(".", 1)[0])
    return list(children)
