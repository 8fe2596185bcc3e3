"""GenAI spans of the recorded conversations, one conversation at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import aliased

from arena_core.db.projections import FAILED_STOP_PREFIX
from arena_core.db.tables import conversation_events, messages, turns
from arena_core.events.agent import AgentToolCompleted
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested
from arena_core.events.registry import recorded_payload
from arena_core.export.filters import ExportFilter, ExportSummary, Progress, turn_filters
from arena_core.telemetry.genai import ConversationSpans, Span


def conversation_spans(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[list[Span]]:
    """The spans of each recorded conversation: its agent span first."""
    answer = aliased(messages)
    query = (
        select(turns.c.conversation_id, turns.c.run_id, turns.c.agent_role, turns.c.agent_id,
               turns.c.ts, turns.c.request, turns.c.response, turns.c.stop_reason,
               answer.c.ts.label("answered_at"))
        .select_from(turns.outerjoin(answer, answer.c.seq == turns.c.response_seq))
        .where(turns.c.response_seq.is_not(None), *turn_filters(flt))
        .order_by(turns.c.conversation_id, turns.c.request_seq)
    )  # fmt: skip
    with engine.connect() as conn:
        group: list[Any] = []
        for row in conn.execution_options(stream_results=True, yield_per=500).execute(query):
            if group and row.conversation_id != group[0].conversation_id:
                progress(1)
                yield _spans(conn, group)
                group = []
            group.append(row)
        if group:
            progress(1)
            yield _spans(conn, group)


def _spans(conn: Connection, rows: list[Any]) -> list[Span]:
    first = rows[0]
    conversation = ConversationSpans(
        first.run_id, first.conversation_id, first.agent_role, first.agent_id
    )
    out: list[Span] = []
    for r in rows:
        requested = LlmCallRequested.model_validate_json(r.request)
        failed = (r.stop_reason or "").startswith(FAILED_STOP_PREFIX)
        answered: LlmCallCompleted | LlmCallFailed = (
            LlmCallFailed.model_validate_json(r.response)
            if failed
            else LlmCallCompleted.model_validate_json(r.response)
        )
        out.append(conversation.call(requested, r.ts, answered, r.answered_at or r.ts))
    tools = conn.execute(
        select(messages.c.body, messages.c.ts)
        .select_from(
            conversation_events.join(messages, messages.c.seq == conversation_events.c.seq)
        )
        .where(
            conversation_events.c.conversation_id == first.conversation_id,
            conversation_events.c.kind == "tool_result",
        )
        .order_by(conversation_events.c.seq)
    ).all()
    for body, ts in tools:
        out.append(conversation.tool(recorded_payload(body, AgentToolCompleted), ts))
    return [conversation.agent(), *out]
