"""The FastAPI application: one router per resource, problem+json errors, bearer auth.

``create_app`` builds it from settings; the lifespan connects the bus (the API
publishes jobs and control events, and never writes the database, which it opens
read-only). Routers are plain modules, so more (the dashboard's static pages) can be
mounted next to them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from arena_core import __version__
from arena_core.api import (
    admin,
    benchmarks,
    dashboard,
    dashboard_scene,
    dashboard_stream,
    experiments,
    files,
    health,
    jobs,
    profiles,
    prompts,
    runs,
    workers,
)
from arena_core.api.bodies import clamp_integers
from arena_core.api.context import ApiContext, read_only_engine
from arena_core.api.limits import BodyLimits
from arena_core.api.links import add_links
from arena_core.api.problems import (
    ApiProblem,
    FieldError,
    Problem,
    on_api_problem,
    on_http_error,
    on_validation_error,
)
from arena_core.bus.controls import JobControls
from arena_core.jobs import job_kinds
from arena_core.settings import Settings

DESCRIPTION = """\
Arena's HTTP gateway: submit jobs onto the bus, poll them, control batches, and read
the recording (runs, timelines, conversations, benchmarks, prompts, workers, files).
Every error is `application/problem+json` (RFC 9457) with a stable `type`.
Authenticate with `Authorization: Bearer <token>` (`arena tokens create --scope ...`).
"""


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    connect_bus: bool = True,
) -> FastAPI:
    """The API app; ``engine`` defaults to a read-only engine on the recording."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = ApiContext(settings, engine or read_only_engine(settings.database_path))
        app.state.arena = ctx
        if connect_bus:
            from arena_core.container import make_bus

            ctx.bus = make_bus(settings, name="arena-api")
            await ctx.bus.connect()
            await JobControls(ctx.bus).ensure()
        try:
            yield
        finally:
            if ctx.bus is not None:
                await ctx.bus.close()
            if engine is None:
                ctx.engine.dispose()

    app = FastAPI(
        title="Arena API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.add_exception_handler(ApiProblem, on_api_problem)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    metrics = health.Metrics()
    for module in (jobs, runs, files, benchmarks, prompts, profiles, experiments, workers):
        app.include_router(module.router())
    app.include_router(admin.router())
    app.include_router(dashboard.router())
    app.include_router(dashboard_scene.router())
    dashboard_stream.mount(app)
    app.include_router(health.router(metrics))
    app.add_middleware(health.MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodyLimits, max_body=settings.api_max_body_bytes)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the problem model registered once."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, FieldError):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        components[model.__name__] = schema
    # FastAPI's default 422 entries describe its own error shape; ours is a Problem.
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            answers = operation.get("responses", {})
            if "422" in answers:
                answers["422"] = {
                    "description": "schema-violation",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for kind in job_kinds().values():
        schema = kind.request.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[kind.request.__name__] = schema
    clamp_integers(doc)
    add_links(doc)
    app.openapi_schema = doc
    return doc


def openapi_for(settings: Settings | None = None) -> dict[str, Any]:
    """The committed OpenAPI document (no database or bus needed to build it)."""
    return create_app(settings or Settings(), connect_bus=False).openapi()
