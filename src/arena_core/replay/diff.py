"""Where two recorded runs differ, event by event, aligned by causal position.

Events are matched by where they sit in the tree of causes, not by stream order (which
interleaves concurrent jobs differently on every run): an event's position is its
root request, then, at each step down, the event type and its rank among the siblings
of that type (``solve.job.requested > engineer.plan.created #0 > llm.call.requested #2``).
Comparing a redrive with its source aligns each re-published request with the recorded
one it copies (``replay.redrive.started`` names them), so only what followed from SEQ
is compared. Ids, timestamps, wall-clock fields (``wall_s``, latencies, durations,
rates per wall second) and the LLM ``policy`` that answered (a replay answers what the
model did) are ignored; ids embedded in strings are blanked.

    report = diff_runs(engine, source_run, redriven_run)
    report.divergences   # every difference; [] when the runs did the same thing
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.db.tables import messages
from arena_core.events.registry import recorded_payload
from arena_core.events.replay import RedriveStarted

IGNORED_TYPES = ("system.*", "replay.*")
"""Service lifecycle and replay bookkeeping differ between any two runs."""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_WALL_CLOCK = ("latency", "duration", "wall", "elapsed", "cpu_s", "took", "per_s")


def ignored_key(key: str) -> bool:
    """Fields that differ between faithful re-executions: ids, times, wall-clock spans."""
    k = key.lower()
    return (
        k in {"id", "ts", "seq", "stream_seq", "instance", "pid", "host", "request_hash", "policy"}
        or k.endswith(("_id", "_ids", "_at", "_ts", "_seq", "_seqs"))
        or any(word in k for word in _WALL_CLOCK)
    )


def normalize(value: Any) -> Any:
    """``value`` with ignored fields dropped and ids blanked, recursively."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if not ignored_key(k)}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str) and _UUID.search(value):
        return _UUID.sub("<id>", value)
    return value


class Divergence(BaseModel):
    """One place where two runs do not do the same thing."""

    index: int
    """Position (0-based) of the event among run A's compared events (B's when A lacks it)."""
    seq_a: int | None
    """Sequence in run A (None: A has no event at this position)."""
    seq_b: int | None
    """Sequence in run B (None: B has no event at this position)."""
    type_a: str | None
    """Event type in A."""
    type_b: str | None
    """Event type in B."""
    agent: str | None
    """Agent role of the event (A's, else B's)."""
    field: str
    """Dotted path of the first differing field (``type``, ``payload.x``...), or
    ``<missing in b>`` / ``<extra in b>`` when only one run has the event."""
    value_a: Any
    """Value in A."""
    value_b: Any
    """Value in B."""
    position: str = ""
    """The causal position both runs were compared at."""


class DiffReport(BaseModel):
    """Every divergence between two runs, with counts for a summary."""

    run_a: str
    """The first run (the source, for a redrive)."""
    run_b: str
    """The second run."""
    aligned_from: int | None = None
    """For a redrive against its source: the SEQ it redrove from (only what follows it
    in the source is compared)."""
    compared: int
    """Positions compared (events of either run)."""
    divergences: list[Divergence]
    """In run A's order, then B's extra events."""

    @property
    def same(self) -> bool:
        return not self.divergences

    def summary(self) -> dict[str, int]:
        """How many divergences of each kind: changed, missing in B, extra in B."""
        kinds: Counter[str] = Counter()
        for d in self.divergences:
            kinds[d.field if d.field.startswith("<") else "changed"] += 1
        return dict(kinds)

    def by_type(self) -> list[tuple[str, int]]:
        """Divergences per event type, most first."""
        return Counter(d.type_a or d.type_b or "?" for d in self.divergences).most_common()


Event = tuple[int, dict[str, Any]]


def _events(engine: Engine, run_id: str) -> Iterator[Event]:
    query = select(messages.c.seq, messages.c.body, messages.c.valid, messages.c.type).where(
        messages.c.run_id == run_id
    )
    for pattern in IGNORED_TYPES:
        query = query.where(messages.c.type.op("NOT GLOB", is_comparison=True)(pattern))
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                query.where(messages.c.seq > last).order_by(messages.c.seq).limit(500)
            ).all()
        if not rows:
            return
        for row in rows:
            if row.valid:
                data = orjson.loads(row.body)
            else:
                data = {"type": row.type, "undecodable": row.body.decode(errors="replace")}
            yield row.seq, data
        last = rows[-1].seq


def _positions(events: list[Event], roots: dict[str, str] | None) -> dict[str, Event]:
    """Each event by causal position. ``roots`` (event id -> label) fixes the roots and
    drops what does not descend from them; None: every uncaused event is a root."""
    by_id: dict[str, str] = {}
    ranks: Counter[tuple[str, str]] = Counter()
    out: dict[str, Event] = {}
    for seq, data in events:
        kind = str(data.get("type"))
        event_id, cause = data.get("id"), data.get("causation_id")
        if roots is not None and event_id in roots:
            position = roots[event_id]
        elif cause in by_id:
            parent = by_id[cause]
            position = f"{parent} > {kind} #{ranks[parent, kind]}"
            ranks[parent, kind] += 1
        elif roots is None:
            position = f"{kind} #{ranks['', kind]}"
            ranks["", kind] += 1
        else:
            continue
        if isinstance(event_id, str):
            by_id[event_id] = position
        out[position] = (seq, data)
    return out


def _redrive_of(engine: Engine, run_id: str) -> RedriveStarted | None:
    with engine.connect() as conn:
        body = conn.execute(
            select(messages.c.body)
            .where(messages.c.run_id == run_id, messages.c.type == RedriveStarted.EVENT_TYPE)
            .limit(1)
        ).scalar()
    return None if body is None else recorded_payload(body, RedriveStarted)


def _redrive_roots(
    source: list[Event], redriven: list[Event], marker: RedriveStarted
) -> tuple[dict[str, str], dict[str, str]]:
    """Root labels on both sides: the i-th re-published request is the i-th recorded one."""
    wanted = {seq: i for i, seq in enumerate(marker.source_seqs)}
    a = {str(d["id"]): f"input {wanted[s]}" for s, d in source if s in wanted}
    requests = [
        d for _, d in redriven if d.get("causation_id") is None
        and str(d.get("type", "")).endswith(".job.requested")
    ]  # fmt: skip
    b = {str(d["id"]): f"input {i}" for i, d in enumerate(requests[: len(wanted)])}
    return a, b


def _first_difference(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}".lstrip("."), a.get(key), b.get(key)
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}.length".lstrip("."), len(a), len(b)
        return None
    return None if a == b else (path.lstrip(".") or "<root>", a, b)


def diff_runs(engine: Engine, run_a: str, run_b: str) -> DiffReport:
    """Every divergence between two runs, aligned by causal position."""
    events_a, events_b = list(_events(engine, run_a)), list(_events(engine, run_b))
    aligned_from = None
    roots_a: dict[str, str] | None = None
    roots_b: dict[str, str] | None = None
    for source, redriven, swap in ((run_a, run_b, False), (run_b, run_a, True)):
        marker = _redrive_of(engine, redriven)
        if marker is not None and marker.source_run_id == source:
            src, red = (events_b, events_a) if swap else (events_a, events_b)
            roots_src, roots_red = _redrive_roots(src, red, marker)
            roots_a, roots_b = (roots_red, roots_src) if swap else (roots_src, roots_red)
            aligned_from = marker.from_seq
            break
    at_a, at_b = _positions(events_a, roots_a), _positions(events_b, roots_b)
    divergences: list[Divergence] = []
    for index, (position, a) in enumerate(at_a.items()):
        b = at_b.get(position)
        if b is None:
            divergences.append(_divergence(index, position, a, None, "<missing in b>"))
            continue
        na, nb = normalize(a[1]), normalize(b[1])
        found = next(
            ((k, na.get(k), nb.get(k)) for k in ("type", "agent") if na.get(k) != nb.get(k)),
            None,
        ) or _first_difference(na, nb, "")
        if found:
            divergences.append(_divergence(index, position, a, b, *found))
    extra = [p for p in at_b if p not in at_a]
    for offset, position in enumerate(extra):
        b = at_b[position]
        divergences.append(_divergence(len(at_a) + offset, position, None, b, "<extra in b>"))
    return DiffReport(
        run_a=run_a, run_b=run_b, aligned_from=aligned_from,
        compared=len(at_a) + len(extra), divergences=divergences,
    )  # fmt: skip


def first_divergence(engine: Engine, run_a: str, run_b: str) -> Divergence | None:
    """The first divergence of ``diff_runs``; None when the runs match."""
    found = diff_runs(engine, run_a, run_b).divergences
    return found[0] if found else None


def _role(envelope: dict[str, Any] | None) -> str | None:
    if envelope is None:
        return None
    agent = envelope.get("agent")
    if isinstance(agent, dict) and isinstance(agent.get("role"), str):
        return str(agent["role"])
    payload = envelope.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("agent_role"), str):
        return str(payload["agent_role"])
    return None


def _divergence(
    index: int,
    position: str,
    a: Event | None,
    b: Event | None,
    field: str,
    value_a: Any = None,
    value_b: Any = None,
) -> Divergence:
    da, db = (a[1] if a else None), (b[1] if b else None)
    return Divergence(
        index=index, seq_a=a[0] if a else None, seq_b=b[0] if b else None,
        type_a=da.get("type") if da else None, type_b=db.get("type") if db else None,
        agent=_role(da) or _role(db), field=field, value_a=value_a, value_b=value_b,
        position=position,
    )  # fmt: skip
