"""RFC 9457 problem details: every error the API answers, with a stable ``type`` each.

A handler raises ``ApiProblem(kind, detail)``; the app turns it (and FastAPI's own
validation and routing errors) into ``application/problem+json``. A problem's
``type`` is ``urn:arena:problem:<kind>`` and never changes meaning; ``detail`` says
what exactly was wrong, and never carries a secret.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from arena_core.errors import ArenaError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:arena:problem:"


class ProblemKind(StrEnum):
    """Every kind of error, with the status it is answered with (``STATUS``)."""

    malformed_json = "malformed-json"
    schema_violation = "schema-violation"
    unknown_job_type = "unknown-job-type"
    not_found = "not-found"
    method_not_allowed = "method-not-allowed"
    not_acceptable = "not-acceptable"
    unsupported_media_type = "unsupported-media-type"
    body_too_large = "body-too-large"
    unauthorized = "unauthorized"
    forbidden = "forbidden"
    conflict = "conflict"
    path_refused = "path-refused"
    bus_unavailable = "bus-unavailable"
    database_unavailable = "database-unavailable"
    backup_failed = "backup-failed"
    backup_not_configured = "backup-not-configured"
    no_worker = "no-worker"


STATUS: dict[ProblemKind, int] = {
    ProblemKind.malformed_json: 400,
    ProblemKind.schema_violation: 422,
    ProblemKind.unknown_job_type: 404,
    ProblemKind.not_found: 404,
    ProblemKind.method_not_allowed: 405,
    ProblemKind.not_acceptable: 406,
    ProblemKind.unsupported_media_type: 415,
    ProblemKind.body_too_large: 413,
    ProblemKind.unauthorized: 401,
    ProblemKind.forbidden: 403,
    ProblemKind.conflict: 409,
    ProblemKind.path_refused: 403,
    ProblemKind.bus_unavailable: 503,
    ProblemKind.database_unavailable: 503,
    ProblemKind.backup_failed: 502,
    ProblemKind.backup_not_configured: 409,
    ProblemKind.no_worker: 422,
}

TITLES: dict[ProblemKind, str] = {
    ProblemKind.malformed_json: "The body is not valid JSON",
    ProblemKind.schema_violation: "The request does not match its schema",
    ProblemKind.unknown_job_type: "No such job type",
    ProblemKind.not_found: "No such resource",
    ProblemKind.method_not_allowed: "Method not allowed on this resource",
    ProblemKind.not_acceptable: "No acceptable representation",
    ProblemKind.unsupported_media_type: "The body must be application/json",
    ProblemKind.body_too_large: "The body is too large",
    ProblemKind.unauthorized: "A valid bearer token is required",
    ProblemKind.forbidden: "The token lacks the scope this needs",
    ProblemKind.conflict: "The resource is not in a state that allows this",
    ProblemKind.path_refused: "The path leaves the run's workspace",
    ProblemKind.bus_unavailable: "The message bus is not reachable",
    ProblemKind.database_unavailable: "The recording is not readable",
    ProblemKind.backup_failed: "The backup could not be completed",
    ProblemKind.backup_not_configured: "No S3 bucket is configured for backups",
    ProblemKind.no_worker: "No worker on the bus runs this job type; its command does",
}


class FieldError(BaseModel):
    """One field that failed validation."""

    loc: list[str | int]
    """Where: ``body``, ``query``, ``path`` then the field names."""
    msg: str
    """What is wrong with it."""


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(examples=[TYPE_PREFIX + "not-found"])
    """``urn:arena:problem:<kind>``, stable for each kind of error."""
    title: str
    """Short summary of the kind of error."""
    status: int = Field(ge=400, le=599)
    """The HTTP status code."""
    detail: str
    """What exactly went wrong with this request."""
    instance: str | None = None
    """The request path."""
    errors: list[FieldError] | None = None
    """The fields that failed validation, for ``schema-violation``."""


class ApiProblem(ArenaError):
    """Raised by handlers; answered as a problem+json response."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers


def problem_response(
    kind: ProblemKind,
    detail: str,
    instance: str | None = None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=TYPE_PREFIX + kind, title=TITLES[kind], status=STATUS[kind], detail=detail,
        instance=instance, errors=errors,
    )  # fmt: skip
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=STATUS[kind],
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def responses(*kinds: ProblemKind) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these problem kinds (grouped by status)."""
    by_status: dict[int, list[str]] = {}
    for kind in kinds:
        by_status.setdefault(STATUS[kind], []).append(kind)
    return {
        status: {
            "description": ", ".join(names),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, names in sorted(by_status.items())
    }


COMMON = (
    ProblemKind.unauthorized,
    ProblemKind.forbidden,
    ProblemKind.not_acceptable,
    ProblemKind.database_unavailable,
)
"""Problems any authenticated operation may answer."""
BODY = (
    ProblemKind.malformed_json,
    ProblemKind.schema_violation,
    ProblemKind.unsupported_media_type,
    ProblemKind.body_too_large,
)
"""Problems any operation with a JSON body may answer."""


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors()[:20]:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        out.append(FieldError(loc=loc, msg=str(err.get("msg", "invalid"))))
    return out


async def on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        exc.kind, exc.detail, request.url.path, errors=exc.errors, headers=exc.headers
    )


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem_response(
            ProblemKind.malformed_json, "the body could not be parsed as JSON", request.url.path
        )
    detail = "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors[:5])
    return problem_response(ProblemKind.schema_violation, detail, request.url.path, errors=errors)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = {
        404: ProblemKind.not_found,
        405: ProblemKind.method_not_allowed,
        406: ProblemKind.not_acceptable,
        413: ProblemKind.body_too_large,
        415: ProblemKind.unsupported_media_type,
        401: ProblemKind.unauthorized,
        403: ProblemKind.forbidden,
    }.get(exc.status_code, ProblemKind.malformed_json)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES[kind]
    if exc.status_code == 400 and type(exc.__cause__).__name__ == "BodyTooLarge":
        kind, detail = ProblemKind.body_too_large, "the body is larger than the limit"
    headers = dict(exc.headers or {})
    if "Allow" in headers:  # HEAD is implied by GET and not a documented operation
        allowed = [m.strip() for m in headers["Allow"].split(",") if m.strip() != "HEAD"]
        headers["Allow"] = ", ".join(allowed)
    if kind is ProblemKind.method_not_allowed and request.method == "POST":
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "jobs":
            return problem_response(
                ProblemKind.unknown_job_type, f"no job type {parts[1]!r}", request.url.path
            )
    return problem_response(kind, detail, request.url.path, headers=headers or None)
