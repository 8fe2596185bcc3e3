"""The one envelope every bus message travels in."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from arena_core.ids import new_id

SUBJECT_PREFIX = "arena"

MAX_ID_LENGTH = 128
"""Longest id an envelope carries (event, run, correlation, causation). Ids travel in
NATS headers too: an oversized one would make every answer to it unpublishable."""
ID_PATTERN = r"^[!-~]+$"
"""Printable ASCII without spaces: a valid NATS header value."""
MAX_TYPE_LENGTH = 128
"""Longest event type (it is also part of the subject and a header)."""

EventId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)
]
"""An id as an envelope and its headers carry it."""
EventType = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TYPE_LENGTH, pattern=ID_PATTERN)
]
"""An event type, e.g. ``sim.job.requested``."""

_ID = re.compile(ID_PATTERN)


def header_id(value: str | None) -> str | None:
    """``value`` if it is a well-formed id (e.g. from the headers of a bad message), else None."""
    if value is None or len(value) > MAX_ID_LENGTH or not _ID.match(value):
        return None
    return value


class Payload(BaseModel):
    """Base of every event payload: strict (unknown fields rejected) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    EVENT_TYPE: ClassVar[str] = ""
    """Registered event type, e.g. ``sim.job.requested`` (set by ``@event``)."""
    SCHEMA_VERSION: ClassVar[int] = 1
    """Bumped when the payload shape changes incompatibly."""


class AgentRef(BaseModel):
    """Which agent produced an event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = Field(min_length=1, max_length=64)
    """Agent role, e.g. ``engineer`` or ``critic``."""
    id: str = Field(min_length=1, max_length=128)
    """Agent instance id, stable for one conversation."""


P = TypeVar("P", bound=Payload)
Q = TypeVar("Q", bound=Payload)


def derived_id(parent_id: str, index: int) -> str:
    """A deterministic, time-ordered id for the ``index``-th event caused by ``parent_id``.

    A redelivered handler re-emits the same ids, so JetStream's duplicate window drops
    the second copy: a handler that dies after publishing but before acking does not
    produce its results twice.
    """
    parent = uuid.UUID(parent_id)
    ms = parent.int >> 80
    digest = int.from_bytes(
        hashlib.blake2b(f"{parent_id}/{index}".encode(), digest_size=10).digest()
    )
    rand_a = digest >> 68 & 0xFFF
    rand_b = digest & 0x3FFF_FFFF_FFFF_FFFF
    value = ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


class Envelope(BaseModel, Generic[P]):
    """One bus message: identity, causality, origin and a typed payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: EventId
    """Time-ordered UUIDv7; also the ``Nats-Msg-Id`` header (JetStream de-duplication)."""
    type: EventType
    """Event type; the subject is ``arena.<type>``."""
    run_id: EventId
    """The run this event belongs to."""
    correlation_id: EventId
    """The job or conversation thread this event belongs to."""
    causation_id: EventId | None = None
    """The event that caused this one."""
    agent: AgentRef | None = None
    """The agent that produced this event, if any."""
    ts: datetime
    """When the event was created (UTC)."""
    schema_version: int = 1
    """Version of the payload model."""
    payload: P

    @property
    def subject(self) -> str:
        return f"{SUBJECT_PREFIX}.{self.type}"

    @classmethod
    def new(
        cls,
        payload: P,
        *,
        run_id: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        agent: AgentRef | None = None,
        id: str | None = None,
    ) -> Envelope[P]:
        """Start a new thread: a fresh id that is also the correlation id unless given."""
        event_id = id or new_id()
        model: Any = Envelope[type(payload)]  # type: ignore[misc]
        return model(  # type: ignore[no-any-return]
            id=event_id,
            type=payload.EVENT_TYPE,
            run_id=run_id or event_id,
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            agent=agent,
            ts=datetime.now(UTC),
            schema_version=payload.SCHEMA_VERSION,
            payload=payload,
        )

    def follow(
        self, payload: Q, *, agent: AgentRef | None = None, id: str | None = None
    ) -> Envelope[Q]:
        """An event caused by this one: same run and correlation, causation = this id."""
        return Envelope.new(
            payload,
            run_id=self.run_id,
            correlation_id=self.correlation_id,
            causation_id=self.id,
            agent=agent if agent is not None else None,
            id=id,
        )

    def with_ids(self, **changes: object) -> Self:
        return self.model_copy(update=changes)
