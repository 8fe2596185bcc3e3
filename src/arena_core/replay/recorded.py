"""A recorded run's LLM calls, read from the recording, for the ``replay`` policy.

    recorded = recorded_calls(engine, run_id)
    llm = make_llm(settings.model_copy(update={"llm": "replay"}), recorded=recorded)

Besides the answers it keeps each recorded request, so a request that does not match
is reported with what changed (``mismatch``), not only two hashes.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, select

from arena_core.db.tables import messages
from arena_core.events.llm import LlmCallCompleted, LlmCallRequested
from arena_core.llm.replay import InMemoryRecordedCalls, RecordedCall

MAX_SHOWN = 400
"""Characters of each side shown for a changed field."""


class RecordingCalls(InMemoryRecordedCalls):
    """The calls of one recorded run, with the requests that produced them."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: dict[tuple[str, int], dict[str, Any]] = {}
        self.renamed: dict[str, str] = {}
        """New job id -> the recorded one: conversation ids derived from a job's id
        (``<job id>/writer``) find the recorded conversation."""

    def _recorded_id(self, conversation_id: str) -> str:
        for new, old in self.renamed.items():
            if new in conversation_id:
                return conversation_id.replace(new, old)
        return conversation_id

    def get(self, conversation_id: str, turn_index: int) -> RecordedCall | None:
        return super().get(self._recorded_id(conversation_id), turn_index)

    def mismatch(self, conversation_id: str, turn_index: int, request: dict[str, Any]) -> str:
        """What differs between ``request`` and the recorded one nearest to it."""
        recorded = self.requests.get((self._recorded_id(conversation_id), turn_index))
        if recorded is None:
            return "no recorded request at this conversation and turn"
        changes = list(_differences(recorded, request, ""))
        if not changes:
            return "the requests differ only in a field the hash covers and the diff ignores"
        lines = [f"{len(changes)} changed field(s); first ones:"]
        for path, old, new in changes[:5]:
            lines.append(f"  {path}:\n    recorded: {_show(old)}\n    now:      {_show(new)}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + f"... ({len(text)} chars)"


def _differences(a: Any, b: Any, path: str) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _differences(x, y, f"{path}[{i}]")
    elif isinstance(a, str) and isinstance(b, str) and a != b:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        at = min(len(a), len(b)) if at is None else at
        start = max(at - 80, 0)
        yield f"{path} (from character {at})", a[start : at + 200], b[start : at + 200]
    elif a != b:
        yield path, a, b


REQUEST_FIELDS = ("system", "messages", "tools")
"""What the request hash covers."""


def recorded_calls(engine: Engine, run_id: str) -> RecordingCalls:
    """Every answered LLM call of ``run_id``, keyed by conversation and turn."""
    calls = RecordingCalls()
    wanted = (LlmCallRequested.EVENT_TYPE, LlmCallCompleted.EVENT_TYPE)
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.type, messages.c.body)
            .where(
                messages.c.run_id == run_id,
                messages.c.type.in_(wanted),
                messages.c.valid.is_(True),
            )
            .order_by(messages.c.seq)
        )
        for kind, body in rows:
            payload = orjson.loads(body)["payload"]
            key = (payload["conversation_id"], payload["turn_index"])
            if kind == LlmCallCompleted.EVENT_TYPE:
                completed = LlmCallCompleted.model_validate(payload)
                calls.add(RecordedCall.from_completed(completed))
            else:
                calls.requests[key] = {f: payload.get(f) for f in REQUEST_FIELDS}
    return calls
