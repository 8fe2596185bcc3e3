"""Batch controls as shared state: a JetStream key-value bucket any worker can read.

``job.batch.cancelled`` (an event, the record) is mirrored into the bucket by whoever
publishes it (the API), so a worker on any machine sees the cancellation before it
starts a child of that batch; the consumer then terminates the child with an
``error.invalid_message`` whose reason is ``cancelled`` (the child's job fails, its
work is never done). A missing bucket or key means "not cancelled".
"""

from __future__ import annotations

import logging
import re
from typing import Any

from nats.js.errors import BucketNotFoundError, KeyNotFoundError

log = logging.getLogger("arena.bus")

BUCKET = "arena_job_controls"
CANCELLED = b"cancelled"
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

    async def cancelled(self, job_id: str) -> bool:
        """Whether the batch ``job_id`` was cancelled."""
        if not _KEY_RE.match(job_id):
            return False
        try:
            kv = await self._bucket()
            if kv is None:
                return False
            entry = await kv.get(job_id)
        except KeyNotFoundError:
            return False
        except Exception as exc:  # e.g. no permission on the bucket: work as before
            if not self._warned:
                log.warning("cannot read %s (%s): batch controls ignored", BUCKET, exc)
                self._warned = True
            return False
        return bool(entry.value == CANCELLED)

    async def ensure(self) -> None:
        """Create the bucket (done by the API at start-up, so workers find it once)."""
        await self._bucket(create=True)

    async def cancel(self, job_id: str) -> None:
        """Mark the batch cancelled for every worker."""
        if _KEY_RE.match(job_id):
            kv = await self._bucket(create=True)
            await kv.put(job_id, CANCELLED)
