"""API access projections: bearer tokens and the control state of batch jobs.

``fold`` is the access projection (``db/projections/access.py``). Tokens hold
only a SHA-256 of the secret; revoking one stamps it, never deletes it. A batch's
pause / cancel state and the children retried in it are kept beside the ``jobs``
projection, which they qualify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, update
from sqlmodel import Field, SQLModel

from arena_core.db.once import insert_once
from arena_core.events import Envelope
from arena_core.events.access import TokenCreated, TokenRevoked
from arena_core.events.job_control import BatchCancelled, BatchPaused, BatchResumed, BatchRetried


class ApiToken(SQLModel, table=True):
    """Projection: one bearer token of the HTTP API (never the secret itself)."""

    __tablename__ = "api_tokens"

    token_id: str = Field(primary_key=True)
    """Public id, also the token's prefix."""
    name: str
    """Who or what the token is for."""
    scopes: str
    """Space-separated ``Scope`` values."""
    secret_sha256: str
    """SHA-256 of the whole token string."""
    created_seq: int
    """Sequence of ``api.token.created``."""
    created_at: datetime
    """Timestamp of ``api.token.created``."""
    revoked_at: datetime | None = None
    """Timestamp of ``api.token.revoked`` (None while the token works)."""


class JobControl(SQLModel, table=True):
    """Projection: whether a batch job is paused or cancelled."""

    __tablename__ = "job_controls"

    job_id: str = Field(primary_key=True)
    """The batch job."""
    paused: bool = False
    """Paused and not resumed since."""
    cancelled: bool = False
    """Cancelled (final: a cancelled batch is never resumed)."""
    updated_seq: int
    """Sequence of the latest control event."""


class JobRetry(SQLModel, table=True):
    """Projection: a failed child job replaced by a new request."""

    __tablename__ = "job_retries"

    failed_job_id: str = Field(primary_key=True)
    """The child that failed (no longer counted in its batch's roll-up)."""
    new_job_id: str = Field(index=True)
    """The request that replaced it."""
    batch_job_id: str = Field(index=True)
    """The batch both belong to."""
    seq: int
    """Sequence of ``job.batch.retried``."""


api_tokens = cast(Table, ApiToken.__table__)  # type: ignore[attr-defined]
job_controls = cast(Table, JobControl.__table__)  # type: ignore[attr-defined]
job_retries = cast(Table, JobRetry.__table__)  # type: ignore[attr-defined]

TABLES = (api_tokens, job_controls, job_retries)
"""The tables ``rebuild`` empties and refills."""


def _control(conn: Connection, seq: int, job_id: str, **values: bool) -> None:
    insert_once(conn, job_controls, job_id=job_id, updated_seq=seq)
    conn.execute(
        update(job_controls)
        .where(job_controls.c.job_id == job_id, job_controls.c.cancelled.is_(False))
        .values(updated_seq=seq, **values)
    )


def fold(conn: Connection, seq: int, env: Envelope[Any]) -> None:
    """Apply one event to the access projections (other events are ignored)."""
    p = env.payload
    if isinstance(p, TokenCreated):
        insert_once(
            conn, api_tokens, token_id=p.token_id, name=p.name, scopes=" ".join(p.scopes),
            secret_sha256=p.secret_sha256, created_seq=seq, created_at=env.ts,
        )  # fmt: skip
    elif isinstance(p, TokenRevoked):
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.token_id == p.token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=env.ts)
        )
    elif isinstance(p, BatchPaused):
        _control(conn, seq, p.job_id, paused=True)
    elif isinstance(p, BatchResumed):
        _control(conn, seq, p.job_id, paused=False)
    elif isinstance(p, BatchCancelled):
        _control(conn, seq, p.job_id, paused=False, cancelled=True)
    elif isinstance(p, BatchRetried):
        for child in p.children:
            insert_once(
                conn, job_retries, failed_job_id=child.failed_job_id, new_job_id=child.new_job_id,
                batch_job_id=p.job_id, seq=seq,
            )  # fmt: skip
