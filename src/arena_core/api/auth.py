"""Authentication (bearer tokens) and authorization (scopes) as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from arena_core.api.context import Context
from arena_core.api.problems import ApiProblem, ProblemKind
from arena_core.api.tokens import Principal, verify
from arena_core.events.access import Scope

bearer = HTTPBearer(auto_error=False, description="A token from `arena tokens create`.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require(scope: Scope) -> Callable[..., Principal]:
    """A dependency that admits only a valid token allowing ``scope``."""

    def check(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
        *,
        ctx: Context,
    ) -> Principal:
        if credentials is None:
            raise ApiProblem(
                ProblemKind.unauthorized, "no bearer token in Authorization", headers=_CHALLENGE
            )
        principal = verify(ctx.engine, credentials.credentials)
        if principal is None:
            raise ApiProblem(
                ProblemKind.unauthorized, "the token is not valid or was revoked",
                headers=_CHALLENGE,
            )  # fmt: skip
        if not principal.allows(scope):
            raise ApiProblem(
                ProblemKind.forbidden, f"this needs the {scope.value!r} scope", headers=_CHALLENGE
            )
        request.state.principal = principal
        return principal

    return check


read = require(Scope.read)
submit = require(Scope.submit)
admin = require(Scope.admin)

Reader = Annotated[Principal, Depends(read)]
"""A route parameter that admits only tokens with the ``read`` scope."""
Submitter = Annotated[Principal, Depends(submit)]
"""A route parameter that admits only tokens with the ``submit`` scope."""
Admin = Annotated[Principal, Depends(admin)]
"""A route parameter that admits only tokens with the ``admin`` scope."""
