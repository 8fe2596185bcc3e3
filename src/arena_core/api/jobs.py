"""``/jobs``: submit any registered job type, poll it, and control batches.

``POST /jobs/<kind>`` validates the body against the kind's request model, publishes
the envelope on the bus and answers 202 with the job id: nothing is half-submitted,
because nothing is published before the body validates. The job's state is read from
the ``jobs`` projection (the recorder's), qualified by the batch controls; a job this
process published that the recorder has not stored yet reads ``pending``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from arena_core.api import auth
from arena_core.api.bodies import strict_body
from arena_core.api.context import ApiContext, Context
from arena_core.api.paging import before_param, newest_first
from arena_core.api.problems import BODY, COMMON, ApiProblem, ProblemKind, responses
from arena_core.api.publish import publish, republish_request
from arena_core.bus.controls import JobControls
from arena_core.db.access import job_controls, job_retries
from arena_core.db.projections import FINAL_JOB_STATES, JobState, job_state
from arena_core.db.tables import jobs, messages
from arena_core.events import Envelope, Payload
from arena_core.events.job_control import (
    BatchCancelled,
    BatchPaused,
    BatchResumed,
    RetriedChild,
)
from arena_core.jobs import JobKind, job_kinds

JOB_ID = Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$", description="A job id.")


class JobStatus(StrEnum):
    """Where a job stands, as a job queue reports it."""

    pending = "pending"
    """Accepted, not yet picked up (or not yet recorded)."""
    running = "running"
    """Being worked on (for a batch: children still open)."""
    paused = "paused"
    """A paused batch."""
    completed = "completed"
    """Done; ``result`` holds the answer."""
    failed = "failed"
    """Failed (for a batch: some or all children failed); ``error`` says why."""
    cancelled = "cancelled"
    """A cancelled batch."""


class JobAccepted(BaseModel):
    """A job was published."""

    job_id: str
    """Id of the request envelope; poll ``GET /jobs/{job_id}``."""
    kind: str
    """The job type."""
    run_id: str
    """Run the job belongs to."""
    status: JobStatus = JobStatus.pending
    """Always ``pending`` at first."""


class Children(BaseModel):
    """A batch's roll-up (retried children count once, as their latest attempt)."""

    total: int = Field(ge=0)
    pending: int = Field(ge=0)
    running: int = Field(ge=0)
    completed: int = Field(ge=0)
    failed: int = Field(ge=0)


class JobView(BaseModel):
    """A job and, once final, its result or error."""

    job_id: str
    kind: str
    run_id: str | None
    status: JobStatus
    state: str | None = None
    """The projection's detailed state (``requested``, ``retrying``, ``partial``...)."""
    parent_job_id: str | None = None
    requested_at: datetime | None = None
    finished_at: datetime | None = None
    attempts_failed: int = 0
    """Handler failures so far."""
    error: str | None = None
    result: dict[str, Any] | None = None
    """Payload of the event that completed the job."""
    children: Children | None = None
    """For a batch job: its children's roll-up."""


class JobList(BaseModel):
    """A page of jobs, newest first."""

    jobs: list[JobView]
    next_before: int | None = None
    """Pass as ``before`` to get the next page."""


class RetryAccepted(BaseModel):
    """Failed children published again."""

    job_id: str
    retried: list[RetriedChild]


_STATUS = {
    JobState.requested: JobStatus.pending,
    JobState.retrying: JobStatus.running,
    JobState.running: JobStatus.running,
    JobState.completed: JobStatus.completed,
    JobState.failed: JobStatus.failed,
    JobState.partial: JobStatus.failed,
}


def _children(conn: Connection, job_id: str) -> Children | None:
    rows = conn.execute(
        select(jobs.c.job_id, jobs.c.state).where(jobs.c.parent_job_id == job_id)
    ).all()
    if not rows:
        return None
    retried = {
        r.failed_job_id
        for r in conn.execute(
            select(job_retries.c.failed_job_id).where(job_retries.c.batch_job_id == job_id)
        )
    }
    counts = dict.fromkeys(("pending", "running", "completed", "failed"), 0)
    for row in rows:
        if row.job_id in retried:
            continue
        counts[_STATUS[JobState(row.state)].value] += 1
    return Children(total=sum(counts.values()), **counts)


def _view(conn: Connection, row: Any, with_result: bool) -> JobView:
    control = conn.execute(select(job_controls).where(job_controls.c.job_id == row.job_id)).first()
    children = _children(conn, row.job_id)
    state = JobState(row.state)
    if children is not None:
        state = job_state(
            row.outcome, row.attempts_failed, children.total, children.completed,
            children.failed,
        )  # fmt: skip
    status = _STATUS[state]
    if control is not None and state not in FINAL_JOB_STATES:
        status = (
            JobStatus.cancelled
            if control.cancelled
            else JobStatus.paused
            if control.paused
            else status
        )
    result = None
    if with_result and row.final_seq is not None and status is JobStatus.completed:
        body = conn.execute(select(messages.c.body).where(messages.c.seq == row.final_seq)).scalar()
        if body is not None:
            payload = orjson.loads(body).get("payload")
            result = payload if isinstance(payload, dict) else None
    return JobView(
        job_id=row.job_id, kind=row.kind, run_id=row.run_id, status=status, state=state,
        parent_job_id=row.parent_job_id, requested_at=row.requested_at,
        finished_at=row.finished_at, attempts_failed=row.attempts_failed, error=row.error,
        result=result, children=children,
    )  # fmt: skip


def load_job(ctx: ApiContext, job_id: str, *, with_result: bool = True) -> JobView:
    with ctx.engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.job_id == job_id)).first()
        if row is not None:
            return _view(conn, row, with_result)
    if job_id in ctx.submitted:
        return JobView(job_id=job_id, kind=ctx.submitted[job_id], run_id=None,
                       status=JobStatus.pending)  # fmt: skip
    raise ApiProblem(ProblemKind.not_found, f"no job {job_id!r}")


def _submit_route(router: APIRouter, kind: JobKind) -> None:
    model = kind.request

    async def submit_job(
        request: Request,
        response: Response,
        run_id: str | None = Query(
            None,
            min_length=1,
            max_length=64,
            pattern=r"^[0-9A-Za-z_.:-]+$",
            description="Run the job belongs to (default: a new run).",
        ),
        *,
        ctx: Context,
        _: auth.Submitter,
    ) -> JobAccepted:
        if model.RUN_BY is not None:
            raise ApiProblem(
                ProblemKind.no_worker,
                f"{kind.name} jobs have no worker on the bus: run `{model.RUN_BY}`",
            )
        body = strict_body(model, await request.body())
        envelope = Envelope.new(body, run_id=run_id)
        await publish(ctx, envelope)
        ctx.remember(envelope.id, kind.name)
        response.headers["Location"] = f"/jobs/{envelope.id}"
        return JobAccepted(job_id=envelope.id, kind=kind.name, run_id=envelope.run_id)

    submit_job.__doc__ = (model.__doc__ or kind.name).strip().splitlines()[0]
    router.add_api_route(
        f"/jobs/{kind.name}", submit_job, methods=["POST"], status_code=202,
        operation_id=f"submit_{kind.name}_job", summary=f"Submit a {kind.name} job",
        response_model=JobAccepted,
        responses=responses(*COMMON, *BODY, ProblemKind.bus_unavailable, ProblemKind.no_worker),
        openapi_extra={
            "x-arena-event-type": model.EVENT_TYPE,
            "x-arena-body-model": model.__name__,
            "requestBody": {
                "required": True,
                "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
            },
        },
    )  # fmt: skip


def router() -> APIRouter:
    r = APIRouter(tags=["jobs"])
    for kind in sorted(job_kinds().values(), key=lambda k: k.name):
        _submit_route(r, kind)

    @r.get("/jobs", operation_id="list_jobs", responses=responses(*COMMON))
    def list_jobs(
        kind: str | None = Query(None, max_length=64, description="Only jobs of this type."),
        parent_job_id: str | None = Query(None, max_length=64, description="Children of."),
        limit: int = Query(50, ge=1, le=500),
        before: int | None = before_param("Request sequence"),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> JobList:
        """Jobs, newest first."""
        with ctx.engine.connect() as conn:
            rows, nxt = newest_first(
                conn, jobs, "requested_seq", limit=limit, before=before,
                kind=kind, parent_job_id=parent_job_id,
            )  # fmt: skip
            views = [_view(conn, row, with_result=False) for row in rows]
        return JobList(jobs=views, next_before=nxt)

    @r.get(
        "/jobs/{job_id}", operation_id="get_job",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def get_job(job_id: str = JOB_ID, *, ctx: Context, _: auth.Reader) -> JobView:
        """A job's status; its result once completed, its children's roll-up for a batch."""
        return load_job(ctx, job_id)

    control_responses = responses(
        *COMMON, ProblemKind.not_found, ProblemKind.conflict, ProblemKind.bus_unavailable
    )

    async def _control(ctx: ApiContext, job_id: str, payload: Payload) -> JobView:
        job = load_job(ctx, job_id, with_result=False)
        if job.children is None:
            raise ApiProblem(ProblemKind.conflict, f"job {job_id!r} is not a batch (no children)")
        if job.status in (JobStatus.completed, JobStatus.failed, JobStatus.cancelled):
            raise ApiProblem(ProblemKind.conflict, f"batch {job_id!r} is already {job.status}")
        await publish(ctx, Envelope.new(payload, run_id=job.run_id, correlation_id=job_id))
        if ctx.bus is not None:  # workers skip, hold or release its children from now on
            controls = JobControls(ctx.bus)
            if isinstance(payload, BatchCancelled):
                await controls.cancel(job_id)
            elif isinstance(payload, BatchPaused):
                await controls.pause(job_id)
            elif isinstance(payload, BatchResumed):
                await controls.resume(job_id)
        return job

    for verb, event_model in (
        ("pause", BatchPaused), ("resume", BatchResumed), ("cancel", BatchCancelled),
    ):  # fmt: skip
        _control_route(r, verb, event_model, _control, control_responses)

    @r.post(
        "/jobs/{job_id}/retry", operation_id="retry_job", status_code=202,
        responses=control_responses,
    )  # fmt: skip
    async def retry(
        job_id: str = JOB_ID,
        *,
        ctx: Context,
        _: auth.Submitter,
    ) -> RetryAccepted:
        """Publish each failed child of a batch again (the batch rolls up the new attempt)."""
        return await retry_failed(ctx, job_id)

    return r


def _control_route(
    r: APIRouter, verb: str, event_model: type[Payload], control: Any, resp: Any
) -> None:
    async def handler(job_id: str = JOB_ID, *, ctx: Context, _: auth.Submitter) -> JobView:
        await control(ctx, job_id, event_model.model_validate({"job_id": job_id}))
        return load_job(ctx, job_id, with_result=False)

    handler.__doc__ = f"{verb.capitalize()} a batch job (recorded as ``{event_model.EVENT_TYPE}``)."
    r.add_api_route(
        f"/jobs/{{job_id}}/{verb}", handler, methods=["POST"], status_code=202,
        operation_id=f"{verb}_job", response_model=JobView, responses=resp,
    )  # fmt: skip


async def retry_failed(ctx: ApiContext, job_id: str) -> RetryAccepted:
    job = load_job(ctx, job_id, with_result=False)
    if job.children is None:
        raise ApiProblem(ProblemKind.conflict, f"job {job_id!r} is not a batch (no children)")
    if job.status is JobStatus.cancelled:
        raise ApiProblem(ProblemKind.conflict, f"batch {job_id!r} is cancelled")
    with ctx.engine.connect() as conn:
        retried = select(job_retries.c.failed_job_id).where(job_retries.c.batch_job_id == job_id)
        failed = conn.execute(
            select(jobs.c.job_id, jobs.c.requested_seq)
            .where(jobs.c.parent_job_id == job_id)
            .where(jobs.c.state.in_([JobState.failed, JobState.partial]))
            .where(jobs.c.job_id.not_in(retried))
            .order_by(jobs.c.requested_seq)
        ).all()
        bodies = {
            row.job_id: conn.execute(
                select(messages.c.subject, messages.c.body, messages.c.headers)
                .where(messages.c.seq == row.requested_seq)
            ).one()
            for row in failed
        }  # fmt: skip
    children = await republish_request(ctx, job_id, job.run_id, bodies)
    return RetryAccepted(job_id=job_id, retried=children)
