"""The first divergence between two recorded runs, ignoring ids, times and latencies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine, not_, select

from arena_core.db.tables import messages

IGNORED_TYPES = ("system.*", "replay.*")
"""Service lifecycle and replay bookkeeping differ between any two runs."""

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def ignored_key(key: str) -> bool:
    """Fields that differ between faithful re-executions: ids, times, latencies."""
    k = key.lower()
    return (
        k in {"id", "ts", "seq", "stream_seq", "instance", "pid", "host"}
        or k.endswith(("_id", "_ids", "_at", "_ts", "_seq", "_seqs"))
        or "latency" in k
        or "duration" in k
        or k == "request_hash"
    )


def normalize(value: Any) -> Any:
    """``value`` with ignored fields dropped and uuids blanked, recursively."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if not ignored_key(k)}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str) and _UUID.match(value):
        return "<id>"
    return value


class Divergence(BaseModel):
    """Where two runs stop doing the same thing."""

    index: int
    """Position (0-based) among the compared events."""
    seq_a: int | None
    """Sequence in run A (None when A ended first)."""
    seq_b: int | None
    """Sequence in run B (None when B ended first)."""
    type_a: str | None
    """Event type in A."""
    type_b: str | None
    """Event type in B."""
    agent: str | None
    """Agent role of the event (A's, else B's)."""
    field: str
    """Dotted path of the first differing field (``type``, ``agent``, ``payload.x``...)."""
    value_a: Any
    """Value in A."""
    value_b: Any
    """Value in B."""


def _events(engine: Engine, run_id: str) -> Iterator[tuple[int, dict[str, Any]]]:
    query = select(messages.c.seq, messages.c.body, messages.c.valid, messages.c.type).where(
        messages.c.run_id == run_id
    )
    for pattern in IGNORED_TYPES:
        query = query.where(not_(messages.c.type.op("GLOB")(pattern)))
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


def first_divergence(engine: Engine, run_a: str, run_b: str) -> Divergence | None:
    """Compare two runs event by event in stream order; None when they match."""
    it_a, it_b = _events(engine, run_a), _events(engine, run_b)
    index = 0
    while True:
        a, b = next(it_a, None), next(it_b, None)
        if a is None and b is None:
            return None
        if a is None or b is None:
            present = a or b
            assert present is not None
            return Divergence(
                index=index, seq_a=a[0] if a else None, seq_b=b[0] if b else None,
                type_a=a[1].get("type") if a else None, type_b=b[1].get("type") if b else None,
                agent=_role(present[1]), field="<end of run>",
                value_a=None if a is None else "more events",
                value_b=None if b is None else "more events",
            )  # fmt: skip
        na, nb = normalize(a[1]), normalize(b[1])
        for key in ("type", "agent"):
            if na.get(key) != nb.get(key):
                return _divergence(index, a, b, key, na.get(key), nb.get(key))
        found = _first_difference(na, nb, "")
        if found:
            return _divergence(index, a, b, *found)
        index += 1


def _role(envelope: dict[str, Any]) -> str | None:
    agent = envelope.get("agent")
    if isinstance(agent, dict) and isinstance(agent.get("role"), str):
        return str(agent["role"])
    payload = envelope.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("agent_role"), str):
        return str(payload["agent_role"])
    return None


def _divergence(
    index: int,
    a: tuple[int, dict[str, Any]],
    b: tuple[int, dict[str, Any]],
    field: str,
    value_a: Any,
    value_b: Any,
) -> Divergence:
    return Divergence(
        index=index, seq_a=a[0], seq_b=b[0], type_a=a[1].get("type"), type_b=b[1].get("type"),
        agent=_role(a[1]) or _role(b[1]), field=field, value_a=value_a, value_b=value_b,
    )  # fmt: skip
