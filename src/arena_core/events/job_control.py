"""Control of batch jobs: pause, resume, cancel, and retry of failed children.

Each is an event, folded by the recorder into the ``job_controls`` and ``job_retries``
projections; the API reports a batch's roll-up from them and its children's rows.
"""

from __future__ import annotations

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.record import Record
from arena_core.events.registry import event


@event("job.batch.paused")
class BatchPaused(Payload):
    """A batch job is paused: its children not yet final should wait."""

    job_id: str = Field(min_length=1, max_length=64)
    """The batch job."""


@event("job.batch.resumed")
class BatchResumed(Payload):
    """A paused batch job goes on."""

    job_id: str = Field(min_length=1, max_length=64)
    """The batch job."""


@event("job.batch.cancelled")
class BatchCancelled(Payload):
    """A batch job is cancelled: its children not yet final will not be reported done."""

    job_id: str = Field(min_length=1, max_length=64)
    """The batch job."""


class RetriedChild(Record):
    """A failed child job and the new request that replaces it."""

    failed_job_id: str = Field(min_length=1, max_length=64)
    """The child that failed."""
    new_job_id: str = Field(min_length=1, max_length=64)
    """Id of the request published again in its place."""


@event("job.batch.retried")
class BatchRetried(Payload):
    """Failed children of a batch are requested again (published right after this event)."""

    job_id: str = Field(min_length=1, max_length=64)
    """The batch job."""
    children: tuple[RetriedChild, ...]
    """Each failed child and the id of its new request."""
