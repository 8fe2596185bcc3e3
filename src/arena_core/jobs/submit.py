"""Publishing a job request and, optionally, waiting for the answer it caused."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from arena_core.events import Envelope, Payload
from arena_core.events.jobs import JobCompleted


class SubmitExit(IntEnum):
    """Exit status of ``arena submit``."""

    ok = 0
    """Published (and, with ``--wait``, completed)."""
    job_failed = 1
    """The job answered with a failure, or was rejected or dead-lettered."""
    invalid = 2
    """Unknown job type, or a payload or envelope that does not validate."""
    timeout = 124
    """``--wait`` saw no answer in time (the job may still run)."""


async def submit(
    nats_url: str,
    envelope: Envelope[Any],
    *,
    wait: bool,
    timeout: float,
    replies: Sequence[type[Payload]] = (),
) -> tuple[SubmitExit, dict[str, Any]]:
    """Publish ``envelope``; with ``wait``, return the answer it caused."""
    from arena_core.bus import RequestFailed, RequestTimeout
    from arena_core.bus.connection import INTERACTIVE_DEADLINE_S
    from arena_core.container import make_bus
    from arena_core.settings import Settings

    settings = Settings().model_copy(update={"nats_url": nats_url})
    bus = await make_bus(settings, name="arena-submit").connect(deadline_s=INTERACTIVE_DEADLINE_S)
    async with bus:
        if not wait:
            seq = await bus.publish(envelope)
            return SubmitExit.ok, {
                "id": envelope.id,
                "type": envelope.type,
                "subject": envelope.subject,
                "run_id": envelope.run_id,
                "stream_seq": seq,
            }
        try:
            reply = await bus.request(envelope, replies, timeout=timeout)
        except RequestFailed as exc:
            return SubmitExit.job_failed, exc.reply.model_dump(mode="json")
        except RequestTimeout as exc:
            return SubmitExit.timeout, {"id": envelope.id, "error": "timeout", "detail": str(exc)}
    code = SubmitExit.ok if isinstance(reply.payload, JobCompleted) else SubmitExit.job_failed
    return code, reply.model_dump(mode="json")
