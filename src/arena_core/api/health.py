"""``/health`` (no token needed) and ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arena_core import __version__
from arena_core.api import auth
from arena_core.api.context import Context
from arena_core.api.problems import COMMON, responses
from arena_core.db.tables import jobs, messages


class Health(BaseModel):
    """Whether the API can serve: the recording is readable and the bus connected."""

    status: str
    """``ok`` or ``degraded``."""
    version: str
    database: bool
    """The recording answered a query."""
    bus: bool
    """The NATS connection is up."""
    recorded_seq: int | None = None
    """Highest stream sequence recorded."""


class Metrics:
    """The API's own Prometheus registry (request counts and latencies, recording size)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "arena_api_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "arena_api_request_seconds", "HTTP request latency", ["method", "route"],
            registry=self.registry,
        )  # fmt: skip
        self.recorded = Gauge(
            "arena_recorded_seq", "Highest stream sequence recorded", registry=self.registry
        )
        self.jobs = Gauge("arena_jobs", "Jobs by state", ["state"], registry=self.registry)


class MetricsMiddleware:
    """Counts and times every request by route template (never by raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)


def router(metrics: Metrics) -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get("/health", operation_id="get_health", responses=responses(*COMMON[2:3]))
    def health(ctx: Context) -> Health:
        """Liveness and readiness (no token needed)."""
        seq: int | None = None
        try:
            with ctx.engine.connect() as conn:
                seq = int(conn.execute(select(func.max(messages.c.seq))).scalar() or 0)
            database = True
        except Exception:  # any failure to read means "not ready"
            database = False
        bus = ctx.bus is not None and ctx.bus.nc.is_connected
        status = "ok" if database and bus else "degraded"
        return Health(status=status, version=__version__, database=database, bus=bus,
                      recorded_seq=seq)  # fmt: skip

    @r.get(
        "/metrics", operation_id="get_metrics",
        responses={
            200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                  "description": "Prometheus text exposition."},
            **responses(*COMMON),
        },
        response_class=Response,
    )  # fmt: skip
    def get_metrics(ctx: Context, _: auth.Reader) -> Response:
        """Prometheus metrics: requests, latencies, recording size, jobs by state."""
        with ctx.engine.connect() as conn:
            metrics.recorded.set(int(conn.execute(select(func.max(messages.c.seq))).scalar() or 0))
            for state, count in conn.execute(
                select(jobs.c.state, func.count()).group_by(jobs.c.state)
            ):
                metrics.jobs.labels(state).set(count)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return r
