"""Batch controls as shared state: a JetStream key-value bucket any worker can read.

``job.batch.cancelled`` / ``paused`` / ``resumed`` (events, the record) are mirrored into
the bucket by whoever publishes them (the API), so a worker on any machine sees them
before it starts a child of that batch. A cancelled batch's child is terminated with an
``error.invalid_message`` whose reason is ``cancelled`` (the child's job fails, its work
is never done); a paused batch's child is held by the worker (heartbeated, so it is
neither redelivered nor counted again) until the batch is resumed or cancelled. A
missing bucket or key means "running".
"""

from __future__ import annotations

import logging
import re
from typing import Any

from nats.js.errors import BucketNotFoundError, KeyNotFoundError

log = logging.getLogger("arena.bus")

BUCKET = "arena_job_controls"
CANCELLED = b"cancelled"
PAUSED = b"paused"
_KEY_RE = re.compile(r"^[-/_=.a-zA-Z0-9]+$")


class JobControls:
    """Reads (and, for the publisher of control events, writes) the controls bucket."""

    def __init__(self, bus: Any) -> None:
        self.bus = bus
        """Anything with a connected ``js`` (a ``Bus``), read when first needed."""
        self._kv: Any = None
        self._warned = False

    async def _bucket(self, create: bool = False) -> Any:
        if self._kv is not None:
            return self._kv
        if create:
            self._kv = await self.bus.js.create_key_value(bucket=BUCKET, history=1)
            return self._kv
        try:
            self._kv = await self.bus.js.key_value(BUCKET)
        except BucketNotFoundError:
            return None  # nothing was ever cancelled (looked up again next time)
        return self._kv

    async def state(self, job_id: str) -> bytes | None:
        """``CANCELLED``, ``PAUSED`` or None (running, or unknown) for the batch ``job_id``."""
        if not _KEY_RE.match(job_id):
            return None
        try:
            kv = await self._bucket()
            if kv is None:
                return None
            entry = await kv.get(job_id)
        except KeyNotFoundError:
            return None
        except Exception as exc:  # e.g. no permission on the bucket: work as before
            if not self._warned:
                log.warning("cannot read %s (%s): batch controls ignored", BUCKET, exc)
                self._warned = True
            return None
        return entry.value if entry.value in (CANCELLED, PAUSED) else None

    async def cancelled(self, job_id: str) -> bool:
        """Whether the batch ``job_id`` was cancelled."""
        return await self.state(job_id) == CANCELLED

    async def ensure(self) -> None:
        """Create the bucket (done by the API at start-up, so workers find it once)."""
        await self._bucket(create=True)

    async def cancel(self, job_id: str) -> None:
        """Mark the batch cancelled for every worker."""
        await self._put(job_id, CANCELLED)

    async def pause(self, job_id: str) -> None:
        """Hold the batch's children that have not started, on every worker."""
        await self._put(job_id, PAUSED)

    async def resume(self, job_id: str) -> None:
        """Let a paused batch's children run (a cancelled batch stays cancelled)."""
        if await self.state(job_id) == PAUSED:
            await self._put(job_id, b"running")

    async def _put(self, job_id: str, value: bytes) -> None:
        if _KEY_RE.match(job_id):
            kv = await self._bucket(create=True)
            await kv.put(job_id, value)
