"""API access: bearer tokens and the control state of batch jobs."""

from __future__ import annotations

from typing import Any

from arena_core.db import access
from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.access import TokenCreated, TokenRevoked
from arena_core.events.job_control import BatchCancelled, BatchPaused, BatchResumed, BatchRetried


class AccessProjection(Projection):
    """``api_tokens``, ``job_controls`` and ``job_retries`` (see ``arena_core.db.access``)."""

    name = "access"
    events = (TokenCreated, TokenRevoked, BatchPaused, BatchResumed, BatchCancelled, BatchRetried)
    tables = access.TABLES

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        access.fold(self.conn, seq, env)
