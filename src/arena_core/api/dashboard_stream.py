"""The dashboard's pages (static files under ``/ui``) and its live feed.

``GET /dashboard/stream`` is a server-sent event stream fed from the bus: one line per
event published on ``arena.>`` (its type, id and run id; never a payload), so the
pages refresh what changed. The pages read it with ``fetch`` so the bearer token
travels in the ``Authorization`` header, as on every other request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse, StreamingResponse
from nats.aio.msg import Msg
from pydantic import BaseModel
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses

STATIC = Path(__file__).parent / "static"
KEEPALIVE_S = 15.0
QUEUE = 1000
"""Events buffered per client; a client that falls further behind misses some (it
reloads what it shows on the next one)."""
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class LiveEvent(BaseModel):
    """One line of the stream (``data:`` of an SSE message)."""

    type: str | None
    id: str | None
    run_id: str | None
    subject: str


def live_event(msg: Msg) -> LiveEvent:
    try:
        body = orjson.loads(msg.data)
    except orjson.JSONDecodeError:
        body = None
    fields: dict[str, Any] = body if isinstance(body, dict) else {}

    def text(key: str) -> str | None:
        value = fields.get(key)
        return value[:200] if isinstance(value, str) else None

    return LiveEvent(type=text("type"), id=text("id"), run_id=text("run_id"), subject=msg.subject)


async def _events(ctx: ApiContext) -> AsyncIterator[bytes]:
    assert ctx.bus is not None
    queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE)

    async def on_message(msg: Msg) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(live_event(msg))

    sub = await ctx.bus.nc.subscribe("arena.>", cb=on_message)
    try:
        yield b"retry: 3000\n: connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            yield b"event: arena\ndata: " + event.model_dump_json().encode() + b"\n\n"
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


class Pages(StaticFiles):
    """The static pages, with headers that keep them to their own origin."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-cache"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, with_headers)


def router() -> APIRouter:
    r = APIRouter(tags=["dashboard"])

    @r.get(
        "/dashboard/stream", operation_id="dashboard_stream", response_class=StreamingResponse,
        responses={
            **responses(*COMMON, ProblemKind.bus_unavailable),
            200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."},
        },
    )  # fmt: skip
    async def stream(ctx: Context, _: auth.Reader) -> StreamingResponse:
        """Every event published on the bus, as server-sent events (type and ids only)."""
        if ctx.bus is None or not ctx.bus.connected:
            raise ApiProblem(ProblemKind.bus_unavailable, "the API is not connected to the bus")
        return StreamingResponse(
            _events(ctx), media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )  # fmt: skip

    @r.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    return r


def mount(app: FastAPI) -> None:
    """Serve the pages under ``/ui`` and the stream beside the API."""
    app.include_router(router())
    app.mount("/ui", Pages(directory=STATIC, html=True), name="ui")


__all__ = ["LiveEvent", "mount"]
