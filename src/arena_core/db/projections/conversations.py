"""Conversations: LLM turns (request paired with answer) and the agents' notes between."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update

from arena_core.db.chat import call, openai_chat
from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.db.tables import chats, conversation_events, turns
from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded, AgentToolCalled, AgentToolCompleted
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested

FAILED_STOP_PREFIX = "failed:"
"""``stop_reason`` prefix of a turn answered by ``llm.call.failed``."""

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


class ConversationsProjection(Projection):
    """``turns`` from ``llm.call.*`` (and ``chats``, each conversation up to its latest
    completed turn); ``conversation_events`` from the agents' notes."""

    name = "conversations"
    events = (
        LlmCallRequested, LlmCallCompleted, LlmCallFailed,
        AgentThoughtRecorded, AgentToolCalled, AgentToolCompleted,
    )  # fmt: skip
    tables = (turns, chats, conversation_events)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._notes: list[tuple[Any, ...]] = []
        """Notes are only ever inserted: written together at ``flush``."""

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, LlmCallRequested):
            self._requested(seq, env, p)
        elif isinstance(p, LlmCallCompleted | LlmCallFailed):
            self._answered(seq, p)
        elif isinstance(p, AgentThoughtRecorded | AgentToolCalled | AgentToolCompleted):
            self._note(seq, env, p)

    def flush(self) -> None:
        if self._notes:
            self.conn.exec_driver_sql(_INSERT_NOTE_SQL, self._notes)
            self._notes.clear()

    def _requested(self, seq: int, env: Envelope[Any], p: LlmCallRequested) -> None:
        insert_once(
            self.conn, turns, request_seq=seq, request_id=env.id, conversation_id=p.conversation_id,
            turn_index=p.turn_index, run_id=env.run_id, correlation_id=env.correlation_id,
            agent_role=p.agent_role, agent_id=env.agent.id if env.agent else "", model=p.model,
            prompt_id=p.prompt.id if p.prompt else None,
            prompt_version=p.prompt.version if p.prompt else None, request=p.model_dump_json(),
            ts=env.ts,
        )  # fmt: skip

    def _answered(self, seq: int, p: LlmCallCompleted | LlmCallFailed) -> None:
        found = self.conn.execute(
            select(turns.c.request_seq, turns.c.run_id, turns.c.request)
            .where(
                turns.c.conversation_id == p.conversation_id,
                turns.c.turn_index == p.turn_index,
                turns.c.response_seq.is_(None),
            )
            .order_by(turns.c.request_seq)
            .limit(1)
        ).first()
        if found is None:
            return
        response = p.model_dump_json()
        values: dict[str, Any] = {"response_seq": seq, "response": response}
        if isinstance(p, LlmCallCompleted):
            values |= {
                "stop_reason": p.stop_reason,
                "input_tokens": p.usage.input_tokens,
                "output_tokens": p.usage.output_tokens,
                "cost_usd": p.cost_usd,
            }
        else:
            values["stop_reason"] = f"{FAILED_STOP_PREFIX}{p.reason}"
        self.conn.execute(update(turns).where(turns.c.request_seq == found[0]).values(**values))
        if isinstance(p, LlmCallCompleted):
            self._chat(p.conversation_id, *found, response)

    def _chat(
        self, conversation_id: str, request_seq: int, run_id: str, request: str, response: str
    ) -> None:
        """Render the conversation up to this answer as OpenAI chat (the latest wins)."""
        asked, answer = orjson.loads(request), orjson.loads(response)
        messages, tools = openai_chat(asked, answer)
        where = (chats.c.conversation_id == conversation_id, chats.c.run_id == run_id)
        latest = self.conn.execute(select(chats.c.request_seq).where(*where)).scalar()
        if latest is not None and latest > request_seq:
            return
        self.conn.execute(delete(chats).where(*where))
        self.conn.execute(
            insert(chats).values(
                request_seq=request_seq, conversation_id=conversation_id, run_id=run_id,
                messages=messages.decode(), tools=tools.decode(),
                call=orjson.dumps(call(asked, answer)).decode(),
            )
        )  # fmt: skip

    def _note(
        self,
        seq: int,
        env: Envelope[Any],
        p: AgentThoughtRecorded | AgentToolCalled | AgentToolCompleted,
    ) -> None:
        # Columns of ``conversation_events`` in table order (see ``_NOTE_COLUMNS``).
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
