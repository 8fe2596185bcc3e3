"""Example job requests: from a model's JSON-schema examples, else built from its fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError

from arena_core.events import Envelope, Payload
from arena_core.jobs.kinds import JobKind

EXAMPLE_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
"""Fixed id of documentation examples, so the generated reference is reproducible."""
EXAMPLE_TS = datetime(2025, 1, 1, tzinfo=UTC)


def _example_values() -> dict[type, Callable[[], object]]:
    from arena_core.spec import BenchmarkSpec, Solution
    from arena_core.spec.examples import ball_to_goal, ramp_solution

    return {BenchmarkSpec: lambda: ball_to_goal(copies=1), Solution: ramp_solution}


def _example_scalar(annotation: object, metadata: Sequence[object]) -> object:
    """A value of a scalar type at its lower bound (1 when unbounded), or ``None``."""
    if annotation is bool:
        return False
    if annotation is str:
        return "example"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    if annotation not in (int, float):
        return None
    low: Any = 1
    for bound in metadata:
        if isinstance(bound, annotated_types.Ge):
            low = bound.ge
        elif isinstance(bound, annotated_types.Gt):
            above: Any = bound.gt
            low = above + 1
    return int(low) if annotation is int else float(low)


def _example_fields(
    model: type[BaseModel], known: dict[type, Callable[[], object]]
) -> dict[str, Any]:
    """Required fields filled with plain values; fields of a type with a known example set."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and annotation in known:
            values[name] = known[annotation]()
        elif info.is_required():
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                values[name] = _example_fields(annotation, known)
            elif get_origin(annotation) in (tuple, list):
                item = next(iter(get_args(annotation)), None)
                values[name] = [_example_scalar(item, ())]
            else:
                values[name] = _example_scalar(annotation, info.metadata)
    return values


def example_payload(model: type[Payload]) -> Payload | None:
    """An example of ``model``: the first of its JSON-schema ``examples``, else one built
    from its fields (known examples for specs and solutions, lower bounds for numbers).
    """
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples:
        return model.model_validate(examples[0])
    try:
        return model.model_validate(_example_fields(model, _example_values()))
    except ValidationError:
        return None


def example_envelope(kind: JobKind) -> Envelope[Any] | None:
    """A reproducible example request envelope for ``kind`` (fixed id and time)."""
    payload = example_payload(kind.request)
    if payload is None:
        return None
    return Envelope.new(payload, id=EXAMPLE_ID).with_ids(ts=EXAMPLE_TS)
