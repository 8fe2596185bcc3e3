"""``/workers``: every running service process, as ``arena health`` sees it."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.service import ServiceHealth
from arena_core.stack import ask_health


class WorkerView(ServiceHealth):
    """One service process and its counters."""

    node: str
    """Host the process runs on."""
    pid: int | None = None
    """Its process id."""


class WorkerList(BaseModel):
    """The processes that answered within the wait."""

    workers: list[WorkerView]
    services: dict[str, int] = Field(default_factory=dict)
    """Running processes per service."""


async def probe(ctx: ApiContext, wait_s: float) -> list[WorkerView]:
    if ctx.bus is None:
        raise ApiProblem(ProblemKind.bus_unavailable, "the API is not connected to NATS")
    answers = []
    for health in await ask_health(ctx.bus.nc, wait_s):
        node, _, rest = health.instance.partition(":")
        pid = rest.split(":", 1)[0]
        view = WorkerView(**health.model_dump(), node=node, pid=int(pid) if pid.isdigit() else None)
        answers.append(view)
    return answers


def router() -> APIRouter:
    r = APIRouter(tags=["workers"])

    @r.get(
        "/workers", operation_id="list_workers",
        responses=responses(*COMMON, ProblemKind.bus_unavailable),
    )  # fmt: skip
    async def list_workers(
        wait: float = Query(0.5, ge=0.05, le=5.0, description="Seconds to wait for answers."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> WorkerList:
        """Ask every service process on the bus for its health."""
        workers = await probe(ctx, wait)
        services: dict[str, int] = {}
        for w in workers:
            if w.status == "running":
                services[w.service] = services.get(w.service, 0) + 1
        return WorkerList(workers=workers, services=services)

    return r
