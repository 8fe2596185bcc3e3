"""Strict reading of JSON bodies into payload models.

Job payloads are read in pydantic's strict JSON mode (``false`` is not ``0``, ``"3"``
is not ``3``), and integers must fit in an IEEE double exactly (I-JSON, RFC 7493):
a JSON number beyond +-(2^53 - 1) cannot be exchanged without loss, so it is
refused instead of silently rounded by some client. The OpenAPI document states the
same bound.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from arena_core.api.problems import ApiProblem, FieldError, ProblemKind

SAFE_INT = 2**53 - 1
M = TypeVar("M", bound=BaseModel)


def _too_big(value: Any, loc: list[str | int]) -> list[str | int] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > SAFE_INT:
        return loc
    if isinstance(value, dict):
        for key, item in value.items():
            if (found := _too_big(item, [*loc, str(key)])) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _too_big(item, [*loc, index])) is not None:
                return found
    return None


def _integral(value: Any) -> Any:
    """JSON Schema's integers include ``5.0``: read such floats as ints (a float field
    still takes an int in strict mode, so nothing else changes)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= SAFE_INT:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def strict_body(model: type[M], raw: bytes) -> M:
    """``raw`` as ``model``, or a problem naming the first thing wrong."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiProblem(ProblemKind.malformed_json, "the body is not valid JSON") from None
    except TypeError:  # integers beyond 64 bits
        data = None
    loc = _too_big(data, ["body"]) if data is not None else ["body"]
    if loc is not None:
        msg = f"integers must lie within +-{SAFE_INT}"
        raise ApiProblem(
            ProblemKind.schema_violation, f"{'.'.join(map(str, loc))}: {msg}",
            errors=[FieldError(loc=loc, msg=msg)],
        )  # fmt: skip
    try:
        return model.model_validate_json(orjson.dumps(_integral(data)), strict=True)
    except ValidationError as exc:
        errors = [
            FieldError(loc=["body", *[p if isinstance(p, int) else str(p) for p in e["loc"]]],
                       msg=e["msg"])
            for e in exc.errors()[:20]
        ]  # fmt: skip
        detail = "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors[:5])
        raise ApiProblem(ProblemKind.schema_violation, detail, errors=errors) from None
    except (ValueError, ArithmeticError, TypeError) as exc:  # a validator's own failure
        detail = f"body: {type(exc).__name__}: {exc}"[:300]
        raise ApiProblem(ProblemKind.schema_violation, detail) from None


def clamp_integers(schema: Any) -> None:
    """Bound every integer bound of a JSON schema to +-(2^53 - 1), in place."""
    if isinstance(schema, dict):
        for key in ("maximum", "exclusiveMaximum"):
            if isinstance(schema.get(key), int | float) and schema[key] > SAFE_INT:
                schema[key] = SAFE_INT
        for key in ("minimum", "exclusiveMinimum"):
            if isinstance(schema.get(key), int | float) and schema[key] < -SAFE_INT:
                schema[key] = -SAFE_INT
        if schema.get("type") == "integer":
            schema.setdefault("maximum", SAFE_INT)
            schema.setdefault("minimum", -SAFE_INT)
        for value in schema.values():
            clamp_integers(value)
    elif isinstance(schema, list):
        for value in schema:
            clamp_integers(value)
