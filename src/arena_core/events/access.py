"""API access tokens: created and revoked by events, so the recorder alone stores them.

An event carries only what the API needs to check a token (its id, a SHA-256 of the
secret, the scopes and a name); the secret itself is shown once to whoever created it
and never travels on the bus.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.registry import event


class Scope(StrEnum):
    """What a token may do."""

    read = "read"
    """Read runs, jobs, benchmarks, prompts, workers, files."""
    submit = "submit"
    """Submit jobs; pause, resume, cancel and retry batches; redrive runs."""
    admin = "admin"
    """Everything, including backups and approving prompts."""


@event("api.token.created")
class TokenCreated(Payload):
    """A bearer token for the HTTP API was issued (the secret is not in the event)."""

    token_id: str = Field(pattern=r"^[0-9a-f]{12}$")
    """Public id of the token (also its prefix, so the API finds its row)."""
    name: str = Field(min_length=1, max_length=100)
    """Who or what the token is for."""
    scopes: tuple[Scope, ...] = Field(min_length=1)
    """What the token may do."""
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the whole token string."""


@event("api.token.revoked")
class TokenRevoked(Payload):
    """A bearer token stops working."""

    token_id: str = Field(pattern=r"^[0-9a-f]{12}$")
    """The token's public id."""
