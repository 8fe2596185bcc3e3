"""Hypothesis strategies derived from pydantic payload models (fields and constraints)."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from pathlib import PurePosixPath
from typing import Any

import annotated_types as at
import typing_extensions
from hypothesis import strategies as st
from pydantic import BaseModel, JsonValue, SecretStr
from pydantic.fields import FieldInfo

JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8)
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, at.Ge):
            out["min_value"] = m.ge
        elif isinstance(m, at.Gt):
            out["min_value"], out["exclude_min"] = m.gt, True
        elif isinstance(m, at.Le):
            out["max_value"] = m.le
        elif isinstance(m, at.Lt):
            out["max_value"], out["exclude_max"] = m.lt, True
        elif isinstance(m, at.MinLen):
            out["min_size"] = m.min_length
        elif isinstance(m, at.MaxLen):
            out["max_size"] = m.max_length
        elif getattr(m, "pattern", None):
            out["pattern"] = m.pattern
        elif hasattr(m, "metadata"):
            out.update(_bounds(list(m.metadata)))
    return out


def _domain_strategies() -> dict[Any, st.SearchStrategy[Any]]:
    """Models whose validity is cross-field (a benchmark must be consistent) are drawn from
    their own seeded builders instead of from their fields."""
    from arena_core.spec import BenchmarkSpec, Solution
    from arena_core.spec.examples import ball_to_goal, ramp_solution

    return {
        BenchmarkSpec: st.builds(
            ball_to_goal,
            seed=st.integers(0, 10_000),
            copies=st.integers(1, 4),
            within_s=st.floats(1.0, 5.0),
        ),
        Solution: st.builds(ramp_solution, pitch=st.floats(0.2, 0.8)),
    }


DOMAIN: dict[Any, st.SearchStrategy[Any]] = {}


def for_type(tp: Any, metadata: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """A strategy for values valid for annotation ``tp`` with constraint ``metadata``."""
    if not DOMAIN:
        DOMAIN.update(_domain_strategies())
    if isinstance(tp, type) and tp in DOMAIN:
        return DOMAIN[tp]
    metadata = metadata or []
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        return for_type(base, metadata + list(extra))
    if tp is JsonValue or tp == "JsonValue":
        return JSON_VALUES
    if isinstance(tp, typing_extensions.TypeAliasType):
        return for_type(tp.__value__, metadata)
    b = _bounds(metadata)
    if tp is Any or tp is object:
        return JSON_VALUES
    if tp is type(None) or tp is None:
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of([for_type(a) for a in typing.get_args(tp)])
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is bool:
        return st.booleans()
    if tp is int:
        lo = b.get("min_value", -(2**31))
        hi = b.get("max_value", 2**31)
        lo = lo + 1 if b.get("exclude_min") else lo
        hi = hi - 1 if b.get("exclude_max") else hi
        return st.integers(int(lo), int(hi))
    if tp is float:
        return st.floats(
            min_value=b.get("min_value", -1e9),
            max_value=b.get("max_value", 1e9),
            exclude_min=b.get("exclude_min", False),
            exclude_max=b.get("exclude_max", False),
            allow_nan=False,
            allow_infinity=False,
        )
    if tp is str and "pattern" in b:
        return st.from_regex(b["pattern"], fullmatch=True)
    if tp is str:
        return st.text(min_size=b.get("min_size", 0), max_size=min(b.get("max_size", 20), 20))
    if tp is bytes:
        return st.binary(max_size=min(b.get("max_size", 32), 32))
    if tp is SecretStr:
        return st.text(max_size=10).map(SecretStr)
    if tp is dt.datetime:
        return st.datetimes(timezones=st.just(dt.UTC))
    if tp is PurePosixPath:
        return st.just(PurePosixPath("a/b"))
    if origin in (list, typing.Sequence, tuple) and origin is not tuple:
        (item,) = typing.get_args(tp) or (Any,)
        return st.lists(
            for_type(item), min_size=b.get("min_size", 0), max_size=min(b.get("max_size", 3), 3)
        )
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(
                for_type(args[0]),
                min_size=b.get("min_size", 0),
                max_size=min(b.get("max_size", 3), 3),
            ).map(tuple)
        return st.tuples(*(for_type(a) for a in args))
    if origin is dict:
        k, v = typing.get_args(tp) or (str, Any)
        return st.dictionaries(for_type(k), for_type(v), max_size=3)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return for_model(tp)
    raise TypeError(f"no strategy for annotation {tp!r}")


def _field(info: FieldInfo) -> st.SearchStrategy[Any]:
    return for_type(info.annotation, list(info.metadata))


def for_model(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Valid instances of ``model`` (values failing custom validators are filtered out)."""
    fields = {name: _field(info) for name, info in model.model_fields.items()}

    def build(values: dict[str, Any]) -> Any:
        try:
            return model.model_validate(values)
        except ValueError:
            return None

    return st.fixed_dictionaries(fields).map(build).filter(lambda v: v is not None)
