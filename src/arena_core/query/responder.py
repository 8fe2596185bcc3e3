"""The query responder: answers every ``_ARENA.query.<kind>`` request from the recording.

It runs in the recorder's process (which owns the database) and only reads. Replicas
share the queue group ``query``, so each query gets one answer. A query it cannot
decode or answer gets an error reply (``QueryRefused`` on the asking side), never silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from arena_core.profiles import ProfileError
from arena_core.query import reads
from arena_core.query.models import QUERIES, QUERY_SUBJECT_PREFIX

log = logging.getLogger("arena.query")

QUEUE = "query"

READS: dict[str, Callable[[Engine, Any], BaseModel]] = {
    "solve_outcomes": reads.solve_outcomes,
    "targets": reads.targets,
    "selection": reads.selection,
    "spent": reads.spent,
    "profile": reads.profile,
    "evaluated": reads.evaluated,
    "experiments": reads.experiments,
    "simulation": reads.simulation,
    "skills": reads.skills,
}
assert READS.keys() == QUERIES.keys()


def _error(kind: str, detail: str) -> bytes:
    return orjson.dumps({"error": {"kind": kind, "detail": detail[:2000]}})


class QueryResponder:
    """Answers queries from ``engine`` (read-only use) on the connection ``nc``."""

    def __init__(self, nc: Client, engine: Engine) -> None:
        self.nc = nc
        self.engine = engine
        self.answered = 0
        self._sub: Subscription | None = None

    async def start(self) -> None:
        self._sub = await self.nc.subscribe(
            f"{QUERY_SUBJECT_PREFIX}.*", queue=QUEUE, cb=self._respond
        )

    async def stop(self) -> None:
        if self._sub is not None:
            sub, self._sub = self._sub, None
            await sub.unsubscribe()

    def answer(self, subject: str, data: bytes) -> bytes:
        """The reply to one query (runs in a thread: it reads the database)."""
        kind = subject.removeprefix(f"{QUERY_SUBJECT_PREFIX}.")
        query_type = QUERIES.get(kind)
        if query_type is None:
            return _error("unknown_query", f"no query {kind!r} (known: {', '.join(QUERIES)})")
        try:
            query = query_type.model_validate_json(data)
        except ValidationError as exc:
            return _error("invalid_query", str(exc))
        try:
            found = READS[kind](self.engine, query)
        except ProfileError as exc:
            return _error("unknown_profile", str(exc))
        except reads.Unanswerable as exc:
            return _error(exc.kind, exc.detail)
        return orjson.dumps({"answer": found.model_dump(mode="json")})

    async def _respond(self, msg: Msg) -> None:
        if not msg.reply:
            return
        try:
            reply = await asyncio.to_thread(self.answer, msg.subject, msg.data)
        except Exception as exc:  # a broken read answers with its reason; serving goes on
            log.exception("query %s failed", msg.subject)
            reply = _error("failed", f"{type(exc).__name__}: {exc}")
        await msg.respond(reply)
        self.answered += 1
