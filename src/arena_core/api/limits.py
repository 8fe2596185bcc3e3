"""ASGI middleware: bodies must be JSON and at most ``max_body`` bytes.

Checked before any handler runs, on the declared length and again on the bytes that
actually arrive (a chunked body has no length), so an oversized body is refused with
``body-too-large`` and never half-read into a job.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arena_core.api.problems import ProblemKind, problem_response
from arena_core.errors import ArenaError

_WITH_BODY = {"POST", "PUT", "PATCH"}


class BodyTooLarge(ArenaError):
    """More bytes arrived than the limit allows."""


class BodyLimits:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("path", "")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _send(scope, receive, send, ProblemKind.body_too_large,
                          f"the body may have at most {self.max_body} bytes", path)  # fmt: skip
            return
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        has_body = length not in (None, "0") or "transfer-encoding" in headers
        if has_body and media != "application/json":
            detail = f"content-type {media or 'none'!r} is not application/json"
            await _send(scope, receive, send, ProblemKind.unsupported_media_type, detail, path)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send(scope, receive, send, ProblemKind.body_too_large,
                            f"the body may have at most {self.max_body} bytes", path)  # fmt: skip


async def _send(
    scope: Scope, receive: Receive, send: Send, kind: ProblemKind, detail: str, path: str
) -> None:
    response: Any = problem_response(kind, detail, path)
    await response(scope, receive, send)
