"""``/benchmarks``: the accepted library with declared and measured difficulty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select, text

from arena_core.api import auth
from arena_core.api.bodies import SAFE_INT
from arena_core.api.context import Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.db.benchmarks import benchmarks

BENCHMARK_ID = Path(min_length=1, max_length=128, description="A benchmark id.")


class MeasuredDifficulty(BaseModel):
    """How solvers fared on a benchmark (from recorded ``solve.job.completed``)."""

    solves: int = Field(ge=0)
    """Solve jobs that ended."""
    solved: int = Field(ge=0)
    """Of those, solved."""
    solve_rate: float | None = Field(default=None, ge=0, le=1)
    """``solved / solves`` (None before any solve)."""


class BenchmarkView(BaseModel):
    """A library benchmark."""

    benchmark_id: str
    family: str
    seed: int
    difficulty: int
    """Declared difficulty, 1 (easy) to 5 (hard)."""
    spec_sha256: str
    attempts: int
    policy: str
    job_id: str | None
    run_id: str
    created_seq: int
    created_at: datetime
    has_reference: bool
    """Whether its reference solution was recorded."""
    measured: MeasuredDifficulty | None = None
    """Solver outcomes (on the single-benchmark view)."""
    spec: dict[str, Any] | None = None
    """The spec (on the single-benchmark view)."""


class BenchmarkList(BaseModel):
    """A page of benchmarks in creation order."""

    benchmarks: list[BenchmarkView]
    next_after: int | None = None
    """Pass as ``after`` to get the next page."""


_MEASURED_SQL = text(
    "SELECT count(*), coalesce(sum(json_extract(CAST(body AS TEXT), '$.payload.outcome') "
    "= 'solved'), 0) FROM messages WHERE type = 'solve.job.completed' AND "
    "json_extract(CAST(body AS TEXT), '$.payload.benchmark_id') = :bid"
)


def _measured(conn: Connection, benchmark_id: str) -> MeasuredDifficulty:
    solves, solved = conn.execute(_MEASURED_SQL, {"bid": benchmark_id}).one()
    rate = solved / solves if solves else None
    return MeasuredDifficulty(solves=solves, solved=solved, solve_rate=rate)


def _view(row: Any, **extra: Any) -> BenchmarkView:
    # The row's ``spec`` column is JSON text: the view carries it parsed, and only alone.
    data = {
        k: v
        for k, v in row._asdict().items()
        if k in BenchmarkView.model_fields and k not in ("spec", "measured")
    }
    return BenchmarkView(**data, has_reference=row.reference_seq is not None, **extra)


def router() -> APIRouter:
    r = APIRouter(tags=["benchmarks"])

    @r.get("/benchmarks", operation_id="list_benchmarks", responses=responses(*COMMON))
    def list_benchmarks(
        family: str | None = Query(None, max_length=64, description="Only this family."),
        difficulty: int | None = Query(None, ge=1, le=5, description="Only this difficulty."),
        after: int = Query(0, ge=0, le=SAFE_INT, description="``created_seq`` to continue after."),
        limit: int = Query(100, ge=1, le=1000),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> BenchmarkList:
        """Accepted benchmarks in creation order."""
        query = (
            select(benchmarks)
            .where(benchmarks.c.created_seq > after)
            .order_by(benchmarks.c.created_seq)
            .limit(limit)
        )
        if family:
            query = query.where(benchmarks.c.family == family)
        if difficulty:
            query = query.where(benchmarks.c.difficulty == difficulty)
        with ctx.engine.connect() as conn:
            rows = conn.execute(query).all()
        nxt = rows[-1].created_seq if len(rows) == limit else None
        return BenchmarkList(benchmarks=[_view(r) for r in rows], next_after=nxt)

    @r.get(
        "/benchmarks/{benchmark_id}", operation_id="get_benchmark",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def get_benchmark(
        benchmark_id: str = BENCHMARK_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> BenchmarkView:
        """One benchmark with its spec and how solvers fared on it."""
        with ctx.engine.connect() as conn:
            row = conn.execute(
                select(benchmarks).where(benchmarks.c.benchmark_id == benchmark_id)
            ).first()
            if row is None:
                raise ApiProblem(ProblemKind.not_found, f"no benchmark {benchmark_id!r}")
            measured = _measured(conn, benchmark_id)
        return _view(row, measured=measured, spec=orjson.loads(row.spec))

    return r


__all__ = ["BenchmarkView", "router"]
