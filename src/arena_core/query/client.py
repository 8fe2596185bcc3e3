"""Ask the recording a question over NATS and await the typed answer, with a deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import nats.errors
import orjson
from pydantic import BaseModel, ValidationError

from arena_core.errors import ArenaError
from arena_core.query.models import Query

if TYPE_CHECKING:
    from arena_core.bus import Bus

A = TypeVar("A", bound=BaseModel)

DEFAULT_DEADLINE_S = 15.0


class QueryFailed(ArenaError):
    """A query got no answer from the recording; ``detail`` says why in one line."""

    detail: str


class QueryUnanswered(QueryFailed, TimeoutError):
    """Nobody answered a query in time (no recorder with its query responder is running)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class QueryRefused(QueryFailed, LookupError):
    """The responder answered a query with an error (unknown profile, invalid query)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


async def ask(bus: Bus, query: Query[A], *, deadline_s: float = DEFAULT_DEADLINE_S) -> A:
    """The answer to ``query``; ``QueryUnanswered`` when none arrives within ``deadline_s``,
    ``QueryRefused`` when the responder says why it cannot answer."""
    try:
        msg = await bus.nc.request(
            query.subject(), query.model_dump_json().encode(), timeout=deadline_s
        )
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError) as exc:
        raise QueryUnanswered(
            f"no answer to {query.kind} within {deadline_s:g} s: is the recorder running?"
        ) from exc
    try:
        reply = orjson.loads(msg.data)
        if "error" in reply:
            raise QueryRefused(str(reply["error"]["kind"]), str(reply["error"]["detail"]))
        answer: A = query.answer.model_validate(reply["answer"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise QueryRefused("malformed_answer", str(exc)[:500]) from exc
    return answer
