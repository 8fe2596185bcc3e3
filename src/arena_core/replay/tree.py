"""A run as a tree a person can read: run -> job -> agent -> turn -> tool call.

    for depth, line in run_tree(engine, run_id):
        print("  " * depth + line)

Each job request heads its own branch with how it ended (the failure's reason in words,
not a count); the events it caused sit below it, grouped by agent and LLM turn; a tool
call is one line (its call and its result together); CAD code is shown as code, and
blobs (meshes, images, base64) only by name and size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine, select

from arena_core.db.tables import messages

BLOB_CHARS = 200
"""Longer strings are shown by their length, not their text."""
CODE_KEYS = ("code", "cad_code", "script")
"""Payload fields holding CAD code, printed as code."""
HIDDEN = ("system.", "run.totals.", "llm.call.requested", "prompt.")


@dataclass
class _Node:
    line: str
    children: list[_Node] = field(default_factory=list)
    code: str | None = None


def _words(value: Any) -> str:
    """A value in words: lists of reasons joined, dicts by their short fields."""
    if isinstance(value, list):
        return "; ".join(_words(v) for v in value[:6]) + (" ..." if len(value) > 6 else "")
    if isinstance(value, dict):
        for key in ("detail", "reason", "message", "kind", "name"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return ", ".join(f"{k}={_words(v)}" for k, v in list(value.items())[:4])
    if isinstance(value, str) and len(value) > BLOB_CHARS:
        return f"<{len(value)} chars>"
    if isinstance(value, float):
        return f"{value:.4g}"  # timings and rates: 2.359, not 2.359114172999398
    return str(value)


def describe(kind: str, payload: dict[str, Any]) -> str:
    """One line for an event: its main fields in words, bodies hidden."""
    parts = []
    for key, value in payload.items():
        if key in CODE_KEYS or key.endswith(("_id", "_hash", "_b64")) or value in (None, [], {}):
            continue
        if key in ("conversation_id", "turn_index", "agent_role", "spec", "request", "meshes"):
            continue
        parts.append(f"{key}={_words(value)}")
    line = f"{kind}  " + " ".join(parts)
    return line if len(line) <= 160 else line[:157] + "..."


def _answer(kind: str, payload: dict[str, Any]) -> str:
    if kind.endswith(".failed"):
        why = payload.get("reason") or "failed"
        return f"FAILED ({_words(why)}): {_words(payload.get('detail') or '')}"
    outcome = payload.get("outcome") or ("passed" if payload.get("passed") else None)
    reasons = payload.get("reasons") or payload.get("failures")
    text = f"{kind.rsplit('.', 1)[-1]}" + (f": {outcome}" if outcome else "")
    return text + (f" ({_words(reasons)})" if reasons else "")


def _tree(engine: Engine, run_id: str) -> _Node:
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.seq, messages.c.type, messages.c.body)
            .where(messages.c.run_id == run_id, messages.c.valid.is_(True))
            .order_by(messages.c.seq)
        ).all()
    root = _Node(f"run {run_id}")
    jobs: dict[str, _Node] = {}
    job_of: dict[str, str] = {}
    agents: dict[tuple[str, str], _Node] = {}
    turns: dict[tuple[str, str, int], _Node] = {}
    calls: dict[str, _Node] = {}
    for seq, kind, body in rows:
        data = orjson.loads(body)
        payload = data.get("payload") or {}
        event_id, cause = data.get("id"), data.get("causation_id")
        job = job_of.get(cause or "")
        if kind.endswith(".job.requested"):
            node = _Node(f"{kind.removesuffix('.job.requested')} job {event_id}  (seq {seq})")
            (jobs[job].children if job in jobs else root.children).append(node)
            jobs[event_id] = node
            job_of[event_id] = event_id
            continue
        if job is None:
            job = job_of.get(data.get("correlation_id") or "")
        job_of[event_id] = job or ""
        if kind.endswith((".job.completed", ".job.failed")) and cause in jobs:
            jobs[cause].line += f"  -> {_answer(kind, payload)}"
            continue
        if kind.startswith(HIDDEN):
            continue
        parent = jobs.get(job or "", root)
        role = (data.get("agent") or {}).get("role") or payload.get("agent_role")
        if role:
            key = (job or "", role)
            if key not in agents:
                agents[key] = _Node(f"{role}")
                parent.children.append(agents[key])
            parent = agents[key]
        if "turn_index" in payload and role:
            tkey = (job or "", role, int(payload["turn_index"]))
            if tkey not in turns:
                turns[tkey] = _Node(f"turn {payload['turn_index']}")
                parent.children.append(turns[tkey])
            parent = turns[tkey]
        if kind == "llm.call.completed":
            usage = payload.get("usage") or {}
            parent.line += (
                f"  ({usage.get('input_tokens', 0)}+{usage.get('output_tokens', 0)} tokens, "
                f"stop {payload.get('stop_reason')})"
            )
        elif kind == "llm.call.failed":
            parent.line += f"  LLM FAILED: {_words(payload.get('reason'))}"
        elif kind in ("agent.tool.called", "agent.tool.completed"):
            use_id = str(payload.get("tool_use_id"))
            if use_id not in calls:
                args = payload.get("arguments") or {}
                code = next((args[k] for k in CODE_KEYS if isinstance(args.get(k), str)), None)
                text = _words({k: v for k, v in args.items() if k not in CODE_KEYS})
                text = text if len(text) <= 120 else text[:117] + "..."
                calls[use_id] = _Node(f"tool {payload.get('tool_name')}({text})", code=code)
                parent.children.append(calls[use_id])
            if kind == "agent.tool.completed":
                mark = "ERROR" if payload.get("is_error") else "ok"
                result = _words(payload.get("result", ""))[:100]
                calls[use_id].line += f"  -> {mark}: {result}"
        elif kind == "agent.thought.recorded":
            parent.children.append(_Node(f"thought: {_words(payload.get('text', ''))[:140]}"))
        else:
            parent.children.append(_Node(describe(kind, payload)))
    return root


def run_tree(engine: Engine, run_id: str) -> Iterator[tuple[int, str]]:
    """The run's tree as (depth, line) in reading order; code comes as indented lines."""

    def walk(node: _Node, depth: int) -> Iterator[tuple[int, str]]:
        yield depth, node.line
        if node.code:
            for code_line in node.code.splitlines():
                yield depth + 2, f"| {code_line}"
        for child in node.children:
            yield from walk(child, depth + 1)

    yield from walk(_tree(engine, run_id), 0)
