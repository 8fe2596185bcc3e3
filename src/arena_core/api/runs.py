"""``/runs``: recorded runs, a run's timeline and conversations, and redrive."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from arena_core.api import auth
from arena_core.api.bodies import SAFE_INT
from arena_core.api.context import ApiContext, Context
from arena_core.api.paging import before_param, newest_first
from arena_core.api.problems import BODY, COMMON, ApiProblem, ProblemKind, responses
from arena_core.api.publish import publish
from arena_core.db.tables import RunFields, runs
from arena_core.events import Envelope
from arena_core.events.replay import RedriveStarted
from arena_core.replay.conversations import Conversation, conversation_ids, load_conversation
from arena_core.replay.redrive import NothingToRedrive, plan_redrive
from arena_core.replay.timeline import TimelineEntry, timeline_page

RUN_ID = Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$", description="A run id.")
CONVERSATION_ID = Path(min_length=1, max_length=200, description="A conversation id.")


class RunView(RunFields):
    """A recorded run (the ``runs`` projection)."""

    # Every field is in every answer, defaults included.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # type: ignore[assignment]


class RunList(BaseModel):
    """A page of runs, most recently active first."""

    runs: list[RunView]
    next_before: int | None = None
    """Pass as ``before`` to get the next page."""


class Timeline(BaseModel):
    """A page of a run's messages in stream order."""

    run_id: str
    entries: list[TimelineEntry]
    next_after: int | None = None
    """Pass as ``after`` to get the next page."""


class ConversationList(BaseModel):
    """The conversations of a run, in order of their first call."""

    run_id: str
    conversation_ids: list[str]


class RedriveRequest(BaseModel):
    """Where to redrive a run from."""

    model_config = {"extra": "forbid"}

    from_seq: int = Field(default=0, ge=0, le=SAFE_INT)
    """First recorded sequence whose job requests are published again."""

    @field_validator("from_seq", mode="before")
    @classmethod
    def _not_a_bool(cls, value: object) -> object:
        if isinstance(value, bool | str):
            raise ValueError("must be a JSON integer")
        return value


class RedriveAccepted(BaseModel):
    """The requests were published again under a new run id."""

    source_run_id: str
    new_run_id: str
    requests: int = Field(ge=1)
    """Job requests published."""


def _run(ctx: ApiContext, run_id: str) -> Any:
    with ctx.engine.connect() as conn:
        row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
    if row is None:
        raise ApiProblem(ProblemKind.not_found, f"no run {run_id!r}")
    return row


def router() -> APIRouter:
    r = APIRouter(tags=["runs"])
    not_found = responses(*COMMON, ProblemKind.not_found)

    @r.get("/runs", operation_id="list_runs", responses=responses(*COMMON))
    def list_runs(
        kind: str | None = Query(None, max_length=64, description="Only runs of this kind."),
        limit: int = Query(50, ge=1, le=500),
        before: int | None = before_param("``last_seq``"),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> RunList:
        """Recorded runs, most recently active first."""
        with ctx.engine.connect() as conn:
            rows, nxt = newest_first(conn, runs, "last_seq", limit=limit, before=before, kind=kind)
        views = [RunView.model_validate(row._asdict()) for row in rows]
        return RunList(runs=views, next_before=nxt)

    @r.get("/runs/{run_id}", operation_id="get_run", responses=not_found)
    def get_run(run_id: str = RUN_ID, *, ctx: Context, _: auth.Reader) -> RunView:
        """One run's totals."""
        return RunView.model_validate(_run(ctx, run_id)._asdict())

    @r.get("/runs/{run_id}/timeline", operation_id="get_run_timeline", responses=not_found)
    def get_timeline(
        run_id: str = RUN_ID,
        after: int = Query(0, ge=0, le=SAFE_INT, description="Sequence to continue after."),
        limit: int = Query(200, ge=1, le=2000),
        agent: str | None = Query(None, max_length=64, description="Only this agent role."),
        type: str | None = Query(None, max_length=200, description="Event type glob."),
        envelopes: bool = Query(False, description="Include each full envelope."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Timeline:
        """What ``arena replay`` shows: the run's messages in stream order."""
        _run(ctx, run_id)
        items = timeline_page(
            ctx.engine, run_id, agent_role=agent, type_glob=type, after_seq=after, limit=limit,
            with_envelopes=envelopes,
        )  # fmt: skip
        nxt = items[-1].seq if len(items) == limit else None
        return Timeline(run_id=run_id, entries=items, next_after=nxt)

    @r.get(
        "/runs/{run_id}/conversations", operation_id="list_run_conversations", responses=not_found
    )
    def list_conversations(
        run_id: str = RUN_ID,
        agent: str | None = Query(None, max_length=64, description="Only this agent role."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> ConversationList:
        """The run's agent conversations."""
        _run(ctx, run_id)
        ids = conversation_ids(ctx.engine, run_id=run_id, agent_role=agent)
        return ConversationList(run_id=run_id, conversation_ids=ids)

    @r.get("/conversations/{conversation_id}", operation_id="get_conversation",
           responses=not_found)  # fmt: skip
    def get_conversation(
        conversation_id: str = CONVERSATION_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Conversation:
        """An agent's turns with tool calls, results and continuity issues."""
        try:
            return load_conversation(ctx.engine, conversation_id)
        except LookupError:
            raise ApiProblem(
                ProblemKind.not_found, f"no conversation {conversation_id!r}"
            ) from None

    @r.post(
        "/runs/{run_id}/redrive", operation_id="redrive_run", status_code=202,
        responses=responses(
            *COMMON, *BODY, ProblemKind.not_found, ProblemKind.conflict,
            ProblemKind.bus_unavailable,
        ),
    )  # fmt: skip
    async def redrive_run(
        body: RedriveRequest,
        run_id: str = RUN_ID,
        *,
        ctx: Context,
        _: auth.Submitter,
    ) -> RedriveAccepted:
        """Publish the run's job requests again (from a sequence) under a new run id."""
        _run(ctx, run_id)
        try:
            plan = plan_redrive(ctx.engine, run_id, from_seq=body.from_seq)
        except NothingToRedrive as exc:
            raise ApiProblem(ProblemKind.conflict, str(exc)) from None
        marker = RedriveStarted(
            source_run_id=run_id, from_seq=body.from_seq, requests=len(plan.envelopes),
            source_seqs=tuple(plan.source_seqs),
        )  # fmt: skip
        await publish(ctx, Envelope.new(marker, run_id=plan.new_run_id))
        for envelope in plan.envelopes:
            await publish(ctx, envelope)
        return RedriveAccepted(
            source_run_id=run_id, new_run_id=plan.new_run_id, requests=len(plan.envelopes)
        )

    return r
