"""SQLModel tables: the message log (the one source of truth), artifacts, projections.

The schema is owned by the Alembic migrations in ``arena_core/db/migrations``; a test
fails when these models and the migrations drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Column, Index, LargeBinary, PrimaryKeyConstraint, Table
from sqlmodel import Field, SQLModel


class Message(SQLModel, table=True):
    """One bus message exactly as JetStream stored it, keyed by its stream sequence."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_run_seq", "run_id", "seq"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    """JetStream stream sequence: the one total order of the system."""
    subject: str
    """Subject the message was published on."""
    headers: str = "{}"
    """Every NATS header, as a JSON object."""
    msg_id: str | None = Field(default=None, index=True)
    """``Nats-Msg-Id`` header (the envelope id for well-formed messages)."""
    type: str | None = None
    """Envelope event type (None when the body could not be read)."""
    run_id: str | None = None
    """Envelope run id."""
    correlation_id: str | None = None
    """Envelope correlation id."""
    causation_id: str | None = Field(default=None, index=True)
    """Envelope causation id."""
    agent_role: str | None = None
    """Role of the agent that produced the event."""
    agent_id: str | None = None
    """Id of the agent instance that produced the event."""
    ts: datetime | None = None
    """Envelope timestamp (UTC)."""
    schema_version: int | None = None
    """Envelope schema version."""
    stream_ts: datetime | None = None
    """When the server stored the message (UTC)."""
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The raw message bytes, untouched."""
    valid: bool = True
    """Whether the body decoded into a registered event of its subject."""
    error_reason: str | None = None
    """Why the body did not decode (an ``InvalidReason``)."""
    error_detail: str | None = None
    """The decoding error message."""


class ProjectionCursor(SQLModel, table=True):
    """How far a projection has consumed the message log."""

    __tablename__ = "projection_cursors"

    name: str = Field(primary_key=True)
    """Projection name, e.g. ``core``."""
    last_seq: int = 0
    """Highest message sequence applied."""


class Artifact(SQLModel, table=True):
    """A file referenced by events, stored once by content hash."""

    __tablename__ = "artifacts"

    sha256: str = Field(primary_key=True)
    """Hex sha256 of the bytes."""
    size: int
    """Size in bytes."""
    media_type: str
    """MIME type, e.g. ``text/x-python`` or ``model/stl``."""
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The bytes."""
    first_seq: int | None = None
    """Sequence of the message that completed the artifact, when it came over the bus."""


class ArtifactLink(SQLModel, table=True):
    """An artifact as a named file of a run (mirrored at ``workspace/<run_id>/<name>``)."""

    __tablename__ = "artifact_links"
    __table_args__ = (PrimaryKeyConstraint("run_id", "name", "sha256"),)

    run_id: str
    """Run the file belongs to."""
    name: str
    """Relative file name inside the run's workspace."""
    sha256: str = Field(index=True)
    """Content hash."""


class ArtifactChunk(SQLModel, table=True):
    """A piece of an artifact that is still arriving over the bus."""

    __tablename__ = "artifact_chunks"
    __table_args__ = (PrimaryKeyConstraint("sha256", "chunk_index"),)

    sha256: str
    """Hash of the whole artifact."""
    chunk_index: int
    """Position of this piece (0-based)."""
    chunk_count: int
    """How many pieces the artifact has."""
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The piece's bytes."""


class RunFields(SQLModel):
    """A run's columns, shared by the ``runs`` table and the views that show it."""

    run_id: str = Field(primary_key=True)
    """The run id."""
    kind: str
    """Domain of the run's first event, e.g. ``benchmark`` or ``system``."""
    status: str
    """A ``RunStatus``."""
    started_at: datetime
    """Timestamp of the first event."""
    ended_at: datetime
    """Timestamp of the latest event."""
    first_seq: int
    """Sequence of the first event."""
    last_seq: int
    """Sequence of the latest event."""
    events: int = 0
    """Messages recorded for the run."""
    invalid_events: int = 0
    """Messages of the run that did not decode."""
    jobs_open: int = 0
    """Jobs requested and not yet final."""
    jobs_completed: int = 0
    """Jobs that completed."""
    jobs_failed: int = 0
    """Jobs that failed (explicitly or by an error event)."""
    input_tokens: int = 0
    """LLM input tokens."""
    output_tokens: int = 0
    """LLM output tokens."""
    cost_usd: float = 0.0
    """LLM cost in US dollars."""
    sim_time_s: float = 0.0
    """Simulated seconds reported by completed jobs."""


class Run(RunFields, table=True):
    """Projection: one row per run id seen in the log."""

    __tablename__ = "runs"


class Job(SQLModel, table=True):
    """Projection: one row per ``<kind>.job.requested``."""

    __tablename__ = "jobs"

    job_id: str = Field(primary_key=True)
    """Id of the request event."""
    kind: str
    """``<kind>`` of ``<kind>.job.requested``."""
    run_id: str = Field(index=True)
    """Run of the request."""
    parent_job_id: str | None = Field(default=None, index=True)
    """The batch job this one belongs to (request payload field ``parent_job_id``)."""
    state: str
    """A ``JobState``, derived from ``outcome``, failures and children."""
    outcome: str | None = None
    """The job's own final event: ``completed`` or ``failed`` (None until one arrives)."""
    requested_seq: int
    """Sequence of the request."""
    final_seq: int | None = None
    """Sequence of the event that made the job final."""
    requested_at: datetime
    """Timestamp of the request."""
    finished_at: datetime | None = None
    """Timestamp of the final event."""
    attempts_failed: int = 0
    """Handler failures reported for the request (``error.handler_failed``)."""
    error: str | None = None
    """Why the job failed: the error event type and reason."""
    children_total: int = 0
    """Child jobs (requests naming this job as parent)."""
    children_completed: int = 0
    """Child jobs that completed."""
    children_failed: int = 0
    """Child jobs that failed."""


class JobReward(SQLModel, table=True):
    """Projection: what the reward of a job rests on, folded as its events arrive."""

    __tablename__ = "job_rewards"

    job_id: str = Field(primary_key=True)
    """A job with reward inputs (solve, benchmark, or one infrastructure broke), or a
    scored simulation (a submission, not a preview)."""
    scores: str | None = Field(default=None, index=True)
    """On a scored simulation: the job whose submission it judges (its correlation id)."""
    inputs: str = "{}"
    """The job's reward inputs so far, a JSON object of ``RewardInputs`` fields."""


class ConversationTurn(SQLModel, table=True):
    """Projection: one LLM call of an agent's conversation (request and response)."""

    __tablename__ = "conversation_turns"
    # Covers the export's scan: every column it reads, in conversation order.
    __table_args__ = (
        Index(
            "ix_turns_conversation_order", "conversation_id", "request_seq", "turn_index",
            "response_seq", "stop_reason", "run_id", "agent_role", "correlation_id", "ts",
        ),
    )  # fmt: skip

    request_seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    """Sequence of the ``llm.call.requested`` event."""
    response_seq: int | None = Field(default=None, index=True)
    """Sequence of the matching ``llm.call.completed`` event."""
    request_id: str = Field(index=True)
    """Envelope id of the request."""
    conversation_id: str
    """Conversation the call belongs to."""
    turn_index: int
    """Position of the call in its conversation, as the caller numbered it."""
    run_id: str = Field(index=True)
    """Run of the call."""
    correlation_id: str
    """Job or thread of the call."""
    agent_role: str
    """Role of the calling agent."""
    agent_id: str
    """Agent instance."""
    model: str
    """Model name."""
    prompt_id: str | None = None
    """Prompt the system text was rendered from."""
    prompt_version: str | None = None
    """Version of that prompt."""
    request: str
    """The request payload as JSON (system, messages, tools, params)."""
    response: str | None = None
    """The response payload as JSON (content, stop reason, usage, latency)."""
    stop_reason: str | None = None
    """Why the model stopped."""
    input_tokens: int = 0
    """Prompt tokens."""
    output_tokens: int = 0
    """Completion tokens."""
    cost_usd: float = 0.0
    """Cost of the call."""
    ts: datetime
    """Timestamp of the request."""


class ConversationChat(SQLModel, table=True):
    """Projection: a conversation as OpenAI chat, up to its latest completed turn
    (``arena_core.db.chat``), written when that turn's answer is recorded."""

    __tablename__ = "conversation_chats"
    __table_args__ = (
        Index("ix_conversation_chats_conversation", "conversation_id", "run_id", unique=True),
    )

    request_seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    """The turn rendered (its ``llm.call.requested``)."""
    conversation_id: str
    """The conversation."""
    run_id: str
    """Its run (a redriven run reuses conversation ids)."""
    messages: str
    """System, history and the turn's answer as OpenAI chat messages (JSON)."""
    tools: str
    """The turn's tools as OpenAI function tools (JSON)."""
    call: str
    """What provenance says of the call: policy, models, seed, prompt (JSON)."""


class ConversationEvent(SQLModel, table=True):
    """Projection: a thought, tool call or tool result inside an agent's conversation."""

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_turn", "conversation_id", "turn_index"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    """Sequence of the event."""
    conversation_id: str
    """Conversation it belongs to."""
    turn_index: int
    """The LLM call that led to it."""
    run_id: str
    """Run of the event."""
    agent_role: str
    """Role of the agent."""
    kind: str
    """``thought``, ``tool_call`` or ``tool_result``."""
    tool_name: str | None = None
    """Tool, for tool calls and results."""
    tool_use_id: str | None = None
    """Tool use id, for tool calls and results."""
    text: str
    """The thought, the arguments (JSON) or the result."""
    is_error: bool = False
    """Whether a tool result is an error."""


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


messages = _table(Message)
cursors = _table(ProjectionCursor)
artifacts = _table(Artifact)
artifact_links = _table(ArtifactLink)
artifact_chunks = _table(ArtifactChunk)
runs = _table(Run)
jobs = _table(Job)
job_rewards = _table(JobReward)
turns = _table(ConversationTurn)
chats = _table(ConversationChat)
conversation_events = _table(ConversationEvent)
