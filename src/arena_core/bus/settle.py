"""How a delivered message is settled: ack, redelivery, termination, dead letter.

Every outcome but a plain ack is also an event, so the recording says why a message
was not handled: ``error.invalid_message`` (terminated), ``error.handler_failed``
(redelivered with backoff) and ``error.dead_letter`` (given up).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nats.aio.msg import Msg

from arena_core.bus.bus import Bus
from arena_core.bus.delivery import Delivery
from arena_core.events import DecodeError, Envelope, decode, derived_id
from arena_core.events.envelope import header_id
from arena_core.events.errors import DeadLetter, HandlerFailed, invalid_message
from arena_core.events.wire import HEADER_MSG_ID, HEADER_RUN

if TYPE_CHECKING:
    from arena_core.bus.consumer import ConsumerSpec

log = logging.getLogger("arena.consumer")

DEAD_LETTER_INDEX = 1_000_000
"""Emit index reserved for the dead-letter event, so both paths that may raise it agree."""


@dataclass
class WorkerStats:
    """What a consumer's worker did with its messages (``arena health`` shows them)."""

    handled: int = 0
    failed: int = 0
    rejected: int = 0
    dead_lettered: int = 0
    last_fetch_at: float = 0.0


@dataclass
class Settler:
    """Settles the messages of one consumer and counts the outcomes."""

    bus: Bus
    spec: ConsumerSpec
    stats: WorkerStats = field(default_factory=WorkerStats)

    async def reject(
        self,
        msg: Msg,
        reason: str,
        detail: str,
        event_type: str | None,
        envelope: Envelope[Any] | None = None,
    ) -> None:
        """Terminate a message that can never succeed and say why on the bus."""
        self.stats.rejected += 1
        out = invalid_message(
            msg.subject, msg.data, msg.headers, reason=reason, detail=detail,
            stream_seq=int(msg.metadata.sequence.stream), consumer=self.spec.durable,
            event_type=event_type,
        )  # fmt: skip
        if envelope is not None:
            out = envelope.follow(out.payload, id=derived_id(envelope.id, DEAD_LETTER_INDEX - 1))
        log.warning("rejected message %s on %s: %s", out.payload.stream_seq, msg.subject, detail)
        await self.bus.publish(out)
        await msg.term()

    async def failed(self, delivery: Delivery[Any], exc: Exception) -> None:
        self.stats.failed += 1
        attempt = delivery.attempt
        final = attempt >= self.spec.max_deliver
        delay = None if final else self.spec.nak_delay(attempt)
        envelope = delivery.envelope
        log.warning(
            "handler for %s %s failed (attempt %d/%d): %r",
            envelope.type,
            envelope.id,
            attempt,
            self.spec.max_deliver,
            exc,
        )
        failure = HandlerFailed(
            consumer=self.spec.durable,
            event_type=envelope.type,
            event_id=envelope.id,
            stream_seq=delivery.stream_seq,
            attempt=attempt,
            error_type=type(exc).__name__,
            error=str(exc)[:8192] or repr(exc)[:8192],
            retry_in_s=delay,
        )
        with contextlib.suppress(Exception):
            await self.bus.publish(envelope.follow(failure))
        if final:
            dead = DeadLetter(
                consumer=self.spec.durable,
                subject=delivery.msg.subject,
                stream_seq=delivery.stream_seq,
                deliveries=attempt,
                event_type=envelope.type,
                event_id=envelope.id,
                last_error=failure.error,
            )
            await self.bus.publish(
                envelope.follow(dead, id=derived_id(envelope.id, DEAD_LETTER_INDEX))
            )
            self.stats.dead_lettered += 1
            await delivery.msg.term()
        else:
            await delivery.msg.nak(delay=delay)

    async def max_deliveries(self, advisory: Msg) -> None:
        """The server gave up on a message whose handler never settled it (crash, hang)."""
        import orjson

        try:
            info = orjson.loads(advisory.data)
            seq = int(info["stream_seq"])
            deliveries = int(info.get("deliveries", self.spec.max_deliver))
            stored = await self.bus.js.get_msg(self.bus.stream.name, seq)
        except Exception as exc:
            log.warning("cannot read max-deliveries advisory: %r", exc)
            return
        headers = stored.headers or {}
        dead = DeadLetter(
            consumer=self.spec.durable,
            subject=stored.subject or "",
            stream_seq=seq,
            deliveries=deliveries,
            event_type=None,
            event_id=headers.get(HEADER_MSG_ID),
            last_error=None,
        )
        original_id = headers.get(HEADER_MSG_ID)
        try:
            original = decode(
                stored.subject or "", stored.data or b"", headers, events=self.bus.events
            )
            out = original.follow(
                dead.model_copy(update={"event_type": original.type}),
                id=derived_id(original.id, DEAD_LETTER_INDEX),
            )
        except DecodeError:
            out = Envelope.new(
                dead,
                run_id=header_id(headers.get(HEADER_RUN)),
                causation_id=header_id(original_id),
            )
        self.stats.dead_lettered += 1
        await self.bus.publish(out)
