"""Agents' conversations, turn by turn, with a continuity check.

Every LLM call carries a conversation id and a turn index. A conversation whose turns
are not exactly ``0, 1, 2, ...`` in recording order is reported with the issue, never
silently rendered or exported as if it were whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.db.projections import FAILED_STOP_PREFIX
from arena_core.db.tables import conversation_events, turns
from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmCallRequested


class IssueKind(StrEnum):
    """How a conversation's turn sequence is broken."""

    missing = "missing"
    """A turn index was skipped."""
    duplicated = "duplicated"
    """Two calls claim the same turn index."""
    reordered = "reordered"
    """A turn was recorded after a later one."""
    unanswered = "unanswered"
    """A call has no recorded response."""


class ContinuityIssue(BaseModel):
    """A defect in one conversation's turns."""

    conversation_id: str
    """The conversation."""
    kind: IssueKind
    """What is wrong."""
    turn_index: int
    """The turn index concerned."""
    seqs: tuple[int, ...]
    """Recorded sequences involved."""

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.kind} turn {self.turn_index} (seq {self.seqs})"


class Turn(BaseModel):
    """One LLM call of a conversation."""

    request_seq: int
    """Sequence of the request."""
    response_seq: int | None
    """Sequence of the answer."""
    request: LlmCallRequested
    """The full request."""
    response: LlmCallCompleted | LlmCallFailed | None
    """The answer, when recorded."""
    events: list[ConversationNote]
    """Thoughts, tool calls and tool results that followed this call."""


class ConversationNote(BaseModel):
    """A thought, tool call or tool result."""

    seq: int
    """Sequence of the event."""
    kind: str
    """``thought``, ``tool_call`` or ``tool_result``."""
    tool_name: str | None
    """The tool, for tool calls and results."""
    tool_use_id: str | None
    """The tool use id."""
    text: str
    """Thought text, arguments as JSON, or the result."""
    is_error: bool
    """Whether a tool result is an error."""


class Conversation(BaseModel):
    """An agent's ordered LLM turns."""

    conversation_id: str
    """The conversation id."""
    run_id: str
    """Run of its first turn."""
    agent_role: str
    """Role of the agent."""
    turns: list[Turn]
    """Turns in recording order."""
    issues: list[ContinuityIssue]
    """Continuity defects; empty for a whole conversation."""

    @property
    def complete(self) -> bool:
        return not self.issues


Turn.model_rebuild()


def check_continuity(
    conversation_id: str, turn_rows: list[tuple[int, int, int | None]]
) -> list[ContinuityIssue]:
    """Issues in ``(turn_index, request_seq, response_seq)`` rows in recording order."""
    issues: list[ContinuityIssue] = []
    seen: dict[int, int] = {}
    highest = -1
    for index, seq, response in turn_rows:
        if index in seen:
            issues.append(
                ContinuityIssue(
                    conversation_id=conversation_id, kind=IssueKind.duplicated,
                    turn_index=index, seqs=(seen[index], seq),
                )
            )  # fmt: skip
            continue
        if index < highest:
            issues.append(
                ContinuityIssue(
                    conversation_id=conversation_id, kind=IssueKind.reordered,
                    turn_index=index, seqs=(seq,),
                )
            )  # fmt: skip
        seen[index] = seq
        highest = max(highest, index)
        if response is None:
            issues.append(
                ContinuityIssue(
                    conversation_id=conversation_id, kind=IssueKind.unanswered,
                    turn_index=index, seqs=(seq,),
                )
            )  # fmt: skip
    for index in range(highest + 1):
        if index not in seen:
            issues.append(
                ContinuityIssue(
                    conversation_id=conversation_id, kind=IssueKind.missing,
                    turn_index=index, seqs=(),
                )
            )  # fmt: skip
    return issues


def conversation_ids(
    engine: Engine, *, run_id: str | None = None, agent_role: str | None = None
) -> list[str]:
    """Conversations in order of their first call."""
    query = select(turns.c.conversation_id, turns.c.request_seq).order_by(turns.c.request_seq)
    if run_id:
        query = query.where(turns.c.run_id == run_id)
    if agent_role:
        query = query.where(turns.c.agent_role == agent_role)
    seen: dict[str, None] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            seen.setdefault(row.conversation_id, None)
    return list(seen)


def load_conversation(
    engine: Engine, conversation_id: str, *, run_id: str | None = None
) -> Conversation:
    """A conversation with its turns, notes and continuity issues.

    A redriven run reuses its source's conversation ids (they derive from the job's
    key): ``run_id`` picks one run's copy; without it, the most recent run's.
    """
    with engine.connect() as conn:
        if run_id is None:
            run_id = conn.execute(
                select(turns.c.run_id)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.request_seq.desc())
                .limit(1)
            ).scalar()
        rows = conn.execute(
            select(turns)
            .where(turns.c.conversation_id == conversation_id, turns.c.run_id == run_id)
            .order_by(turns.c.request_seq)
        ).all()
        notes = conn.execute(
            select(conversation_events)
            .where(
                conversation_events.c.conversation_id == conversation_id,
                conversation_events.c.run_id == run_id,
            )
            .order_by(conversation_events.c.seq)
        ).all()
    if not rows:
        raise LookupError(f"no recorded conversation {conversation_id!r}")
    by_turn: dict[int, list[ConversationNote]] = {}
    for n in notes:
        by_turn.setdefault(n.turn_index, []).append(
            ConversationNote(
                seq=n.seq, kind=n.kind, tool_name=n.tool_name, tool_use_id=n.tool_use_id,
                text=n.text, is_error=n.is_error,
            )
        )  # fmt: skip
    built = [
        Turn(
            request_seq=r.request_seq,
            response_seq=r.response_seq,
            request=LlmCallRequested.model_validate_json(r.request),
            response=_response(r.response, r.stop_reason),
            events=by_turn.get(r.turn_index, []),
        )
        for r in rows
    ]
    return Conversation(
        conversation_id=conversation_id,
        run_id=rows[0].run_id,
        agent_role=rows[0].agent_role,
        turns=built,
        issues=check_continuity(
            conversation_id, [(r.turn_index, r.request_seq, r.response_seq) for r in rows]
        ),
    )


def _response(text: str | None, stop: str | None) -> LlmCallCompleted | LlmCallFailed | None:
    if text is None:
        return None
    if stop is not None and stop.startswith(FAILED_STOP_PREFIX):
        return LlmCallFailed.model_validate_json(text)
    return LlmCallCompleted.model_validate_json(text)


def conversations(
    engine: Engine, *, run_id: str | None = None, agent_role: str | None = None
) -> Iterator[Conversation]:
    """Every matching conversation, one at a time (constant memory)."""
    for cid in conversation_ids(engine, run_id=run_id, agent_role=agent_role):
        yield load_conversation(engine, cid, run_id=run_id)


def render_text(conv: Conversation) -> Iterator[str]:
    """Human-readable lines: system prompt, messages, tool calls, results, thoughts."""
    yield f"== conversation {conv.conversation_id} ({conv.agent_role}, run {conv.run_id})"
    for issue in conv.issues:
        yield f"!! {issue}"
    shown_messages = 0
    for turn in conv.turns:
        req = turn.request
        yield f"-- turn {req.turn_index} (seq {turn.request_seq}) model={req.model}" + (
            f" prompt={req.prompt.id}@{req.prompt.version}" if req.prompt else ""
        )
        if req.turn_index == 0 or shown_messages == 0:
            yield f"[system] {req.system}"
        # Each call repeats the history; show only what is new since the last call.
        for message in req.messages[shown_messages:]:
            for block in message.content:
                yield f"[{message.role}] {render_block(block)}"
        shown_messages = len(req.messages) + 1
        resp = turn.response
        if resp is None:
            yield "[assistant] <no response recorded>"
        elif isinstance(resp, LlmCallFailed):
            yield f"[error] {resp.reason}: {resp.detail}"
        else:
            for block in resp.content:
                yield f"[assistant] {render_block(block)}"
            yield (
                f"   stop={resp.stop_reason} tokens={resp.usage.input_tokens}+"
                f"{resp.usage.output_tokens} cost=${resp.cost_usd:.4f} "
                f"latency={resp.latency_s:.2f}s"
            )
        for note in turn.events:
            if note.kind == "tool_call":  # the assistant's tool_use block above shows it
                continue
            label = {"thought": "thought", "tool_call": "tool call", "tool_result": "tool result"}
            tool = f" {note.tool_name}" if note.tool_name else ""
            err = " (error)" if note.is_error else ""
            yield f"   <{label.get(note.kind, note.kind)}{tool}{err}> {note.text}"


CODE_ARGUMENTS = ("code", "cad_code", "script")
"""Tool arguments holding code: shown as code, not as an escaped JSON string."""


def render_block(block: Any) -> str:
    if block.type == "text":
        return str(block.text)
    if block.type == "tool_use":
        import orjson

        args = dict(block.input) if isinstance(block.input, dict) else {"input": block.input}
        code = next((args.pop(k) for k in CODE_ARGUMENTS if isinstance(args.get(k), str)), None)
        line = f"tool_use {block.name}({orjson.dumps(args).decode()}) id={block.id}"
        if code is not None:
            line += "\n" + "\n".join(f"    | {c}" for c in code.splitlines())
        return line
    return (
        f"tool_result id={block.tool_use_id}{' (error)' if block.is_error else ''}: {block.content}"
    )
