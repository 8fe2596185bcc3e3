"""A message handed to a handler, with the helpers that keep causality."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from nats.aio.msg import Msg

from arena_core.bus.bus import Bus
from arena_core.errors import ArenaError
from arena_core.events import AgentRef, Envelope, Payload, derived_id

P = TypeVar("P", bound=Payload)
Q = TypeVar("Q", bound=Payload)


class HandlerRejected(ArenaError):
    """Raised by a handler for input that can never succeed: terminated, not retried."""

    def __init__(self, detail: str, reason: str = "rejected") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class Delivery(Generic[P]):
    """One message handed to a handler, with helpers that keep causality."""

    envelope: Envelope[P]
    msg: Msg
    bus: Bus
    agent: AgentRef | None = None
    _emitted: int = field(default=0, init=False)

    @property
    def payload(self) -> P:
        return self.envelope.payload

    @property
    def attempt(self) -> int:
        return int(self.msg.metadata.num_delivered or 1)

    @property
    def stream_seq(self) -> int:
        return int(self.msg.metadata.sequence.stream)

    def follow(self, payload: Q, *, agent: AgentRef | None = None) -> Envelope[Q]:
        """The next event caused by this message, with a deterministic id.

        A redelivery re-creates the same ids, so JetStream drops the duplicates.
        """
        env = self.envelope.follow(
            payload,
            agent=agent or self.agent,
            id=derived_id(self.envelope.id, self._emitted),
        )
        self._emitted += 1
        return env

    async def emit(self, payload: Payload, *, agent: AgentRef | None = None) -> Envelope[Any]:
        """Publish an event caused by this message and wait for JetStream's ack."""
        env = self.follow(payload, agent=agent)
        await self.bus.publish(env)
        return env

    async def heartbeat(self) -> None:
        """Tell JetStream the handler is alive (resets the ack timer)."""
        await self.msg.in_progress()


Handler = Callable[[Delivery[Any]], Awaitable[None]]
