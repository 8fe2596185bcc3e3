"""Bearer tokens: minting (the secret is shown once) and checking against the projection.

A token reads ``arena_<id>_<secret>``: the 12-hex id finds the row, the SHA-256 of
the whole string is compared in constant time with the stored one. Secrets have 256
bits of entropy, so a plain hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select

from arena_core.db.access import api_tokens
from arena_core.events.access import Scope, TokenCreated

_TOKEN_RE = re.compile(r"^arena_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name and scopes."""

    token_id: str
    name: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        """``admin`` implies every scope, ``submit`` implies ``read``."""
        if Scope.admin in self.scopes or scope in self.scopes:
            return True
        return scope is Scope.read and Scope.submit in self.scopes


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint(name: str, scopes: tuple[Scope, ...]) -> tuple[str, TokenCreated]:
    """A fresh token string and the event that makes it valid (without the secret)."""
    token_id = secrets.token_hex(6)
    token = f"arena_{token_id}_{secrets.token_urlsafe(32)}"
    event = TokenCreated(
        token_id=token_id, name=name, scopes=tuple(sorted(set(scopes))),
        secret_sha256=digest(token),
    )  # fmt: skip
    return token, event


def verify(engine: Engine, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; None otherwise (never says why)."""
    match = _TOKEN_RE.match(token)
    if match is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.token_id == match[1])).first()
    expected = row.secret_sha256 if row is not None else "0" * 64
    ok = hmac.compare_digest(digest(token), expected)
    if row is None or not ok or row.revoked_at is not None:
        return None
    scopes = frozenset(Scope(s) for s in row.scopes.split())
    return Principal(token_id=row.token_id, name=row.name, scopes=scopes)


def active_tokens(engine: Engine) -> int:
    """How many tokens are valid now."""
    with engine.connect() as conn:
        rows = conn.execute(select(api_tokens.c.token_id).where(api_tokens.c.revoked_at.is_(None)))
        return len(rows.all())
