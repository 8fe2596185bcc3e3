"""Replay events: a recorded run re-driven under a new run id."""

from __future__ import annotations

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.registry import event


@event("replay.redrive.started")
class RedriveStarted(Payload):
    """The recorded inputs of a run are being re-published under this event's run id."""

    source_run_id: str
    """The recorded run being re-driven."""
    from_seq: int = Field(ge=0)
    """First recorded sequence whose inputs were re-published."""
    requests: int = Field(ge=0)
    """How many job requests were re-published."""
    source_seqs: tuple[int, ...]
    """Recorded sequences of the re-published requests, in order."""
