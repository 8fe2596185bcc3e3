"""A run as a timeline: time, agent, type and a one-line summary of each message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.db.tables import messages

SUMMARY_WIDTH = 120


class TimelineEntry(BaseModel):
    """One recorded message of a run."""

    seq: int
    """Stream sequence."""
    ts: datetime | None
    """Envelope timestamp (server time when the body did not decode)."""
    agent: str | None
    """``role/id`` of the producing agent."""
    type: str | None
    """Event type."""
    summary: str
    """One line: the payload's main fields, or the decoding error."""
    valid: bool
    """Whether the message decoded."""
    envelope: dict[str, Any] | None = None
    """The full envelope as JSON (``--json`` output), when it is an object."""


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value if len(value) <= 40 else value[:37] + "..."
    if isinstance(value, float):
        return f"{value:.4g}"  # timings and rates: 11.33, not 11.333026552001684
    if isinstance(value, bool | int) or value is None:
        return str(value)
    return None


def summarize(payload: Any, width: int = SUMMARY_WIDTH) -> str:
    """``key=value`` pairs of a payload's short fields, cut to ``width`` characters."""
    if not isinstance(payload, dict):
        return str(payload)[:width]
    parts = []
    for key, value in payload.items():
        shown = _scalar(value)
        if shown is None:
            size = len(value) if isinstance(value, list | dict) else 0
            shown = f"[{size}]" if isinstance(value, list) else f"{{{size}}}"
        parts.append(f"{key}={shown}")
    line = " ".join(parts)
    return line if len(line) <= width else line[: width - 3] + "..."


def timeline(
    engine: Engine,
    run_id: str,
    *,
    agent_role: str | None = None,
    type_glob: str | None = None,
    after_seq: int = 0,
    with_envelopes: bool = False,
    chunk: int = 1000,
) -> Iterator[TimelineEntry]:
    """The run's messages in stream order, filtered by agent role and type glob."""
    last = after_seq
    while page := timeline_page(
        engine, run_id, agent_role=agent_role, type_glob=type_glob, after_seq=last,
        limit=chunk, with_envelopes=with_envelopes,
    ):  # fmt: skip
        yield from page
        last = page[-1].seq


def timeline_page(
    engine: Engine,
    run_id: str,
    *,
    agent_role: str | None = None,
    type_glob: str | None = None,
    after_seq: int = 0,
    limit: int = 1000,
    with_envelopes: bool = False,
) -> list[TimelineEntry]:
    """At most ``limit`` entries of ``timeline`` after ``after_seq``."""
    query = (
        select(messages)
        .where(messages.c.run_id == run_id, messages.c.seq > after_seq)
        .order_by(messages.c.seq)
        .limit(limit)
    )
    if agent_role:
        query = query.where(messages.c.agent_role == agent_role)
    if type_glob:
        query = query.where(messages.c.type.op("GLOB")(type_glob))
    with engine.connect() as conn:
        return [entry(row, with_envelopes) for row in conn.execute(query)]


def entry(row: Any, with_envelope: bool = False) -> TimelineEntry:
    """The timeline entry of a ``messages`` row."""
    envelope: dict[str, Any] | None = None
    if row.valid:
        data = orjson.loads(row.body)
        envelope = data if isinstance(data, dict) else None
        summary = summarize((envelope or {}).get("payload"))
    else:
        summary = f"UNDECODABLE {row.error_reason}: {row.error_detail or ''}"[:SUMMARY_WIDTH]
    agent = f"{row.agent_role}/{row.agent_id}" if row.agent_role else None
    return TimelineEntry(
        seq=row.seq,
        ts=row.ts or row.stream_ts,
        agent=agent,
        type=row.type,
        summary=summary,
        valid=row.valid,
        envelope=envelope if with_envelope else None,
    )
