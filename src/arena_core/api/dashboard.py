"""``/dashboard``: what the web pages read that the resource endpoints do not answer
in one request: runs with their family and profile, every solve's outcome (success over
time, a benchmark's solve history), experiments with their regression verdicts, and a
candidate's diff against ``prod``.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select, text

from arena_core.api import auth
from arena_core.api.context import Context
from arena_core.api.problems import COMMON, ProblemKind, responses
from arena_core.api.profiles import PROFILE_ID, with_prod
from arena_core.api.runs import RunView
from arena_core.db.benchmarks import benchmarks
from arena_core.db.experiments import get_experiment, list_experiments
from arena_core.db.tables import runs
from arena_core.profiles import list_profiles, prod_profile
from arena_core.profiles.experiments import ExperimentPoint, Verdict


class DashboardRun(RunView):
    """A run with what its jobs name: the benchmark family and the profile."""

    family: str | None = None
    """The family of its benchmark jobs (``N families`` when they differ)."""
    profile_id: str | None = None


class DashboardRuns(BaseModel):
    """The most recently active runs."""

    runs: list[DashboardRun]


class SolveRow(BaseModel):
    """One ended solve job."""

    seq: int
    at: datetime | None
    run_id: str | None
    benchmark_id: str | None
    family: str | None
    difficulty: int | None
    profile_id: str | None
    outcome: str
    solved: bool
    cost_usd: float = Field(ge=0)
    tokens: int = Field(ge=0)


class SolveHistory(BaseModel):
    """Ended solve jobs in stream order."""

    solves: list[SolveRow]


class Evaluation(BaseModel):
    """One regression batch's verdict on a profile of an experiment."""

    profile_id: str
    version: str | None
    parent_ids: list[str]
    stage: str | None
    tags: list[str]
    passed_regression: bool
    seq: int
    success: float
    cost_usd: float
    tokens: float
    latency_s: float
    simulations: float
    targets: int
    targets_solved: int
    controls: int
    controls_lost: list[str]
    passed: bool
    on_front: bool
    """Not dominated in the experiment (higher success, lower cost)."""


_MEASURED = {
    "profile_id", "parent_ids", "stage", "seq", "success", "cost_usd", "tokens", "latency_s",
    "simulations", "targets", "targets_solved", "controls", "controls_lost",
}  # fmt: skip
"""What a variant's evaluation view takes from the experiments projection as it is."""


class Experiment(BaseModel):
    """An optimizer experiment: every profile it measured."""

    experiment_id: str
    role: str | None
    prod_id: str | None
    evaluations: list[Evaluation]


class Experiments(BaseModel):
    """Experiments, most recent first."""

    experiments: list[Experiment]


class Me(BaseModel):
    """Who the token belongs to, so the pages offer only what it may do."""

    name: str
    scopes: list[str]


class ProfileDiff(BaseModel):
    """A profile's template and settings against its role's ``prod`` profile."""

    profile_id: str
    prod_id: str
    diff: str
    """Unified diff (prod first)."""


_SOLVES_SQL = text(
    "SELECT c.seq, c.ts, c.run_id, json_extract(CAST(c.body AS TEXT), '$.payload.benchmark_id'),"
    " json_extract(CAST(c.body AS TEXT), '$.payload.outcome'),"
    " json_extract(CAST(c.body AS TEXT), '$.payload.solved'),"
    " json_extract(CAST(c.body AS TEXT), '$.payload.cost_usd'),"
    " json_extract(CAST(c.body AS TEXT), '$.payload.tokens'),"
    " json_extract(CAST(r.body AS TEXT), '$.payload.profile_id'),"
    " json_extract(CAST(r.body AS TEXT), '$.payload.spec.family')"
    " FROM messages c LEFT JOIN messages r ON r.msg_id = c.causation_id"
    " WHERE c.type = 'solve.job.completed' ORDER BY c.seq"
)
_RUN_JOBS_SQL = text(
    "SELECT run_id, json_extract(CAST(body AS TEXT), '$.payload.family'),"
    " json_extract(CAST(body AS TEXT), '$.payload.spec.family'),"
    " json_extract(CAST(body AS TEXT), '$.payload.profile_id')"
    " FROM messages WHERE type IN ('benchmark.job.requested', 'solve.job.requested')"
    " AND run_id IN (SELECT value FROM json_each(:ids)) ORDER BY seq"
)


def solve_history(engine: Engine) -> list[SolveRow]:
    with engine.connect() as conn:
        library = {
            r.benchmark_id: (r.family, r.difficulty)
            for r in conn.execute(
                select(benchmarks.c.benchmark_id, benchmarks.c.family, benchmarks.c.difficulty)
            )
        }
        rows = conn.execute(_SOLVES_SQL).all()
    out = []
    for seq, at, run_id, bid, outcome, solved, cost, tokens, profile, family in rows:
        fam, difficulty = library.get(bid, (family, None))
        row = SolveRow(
            seq=seq, at=at, run_id=run_id, benchmark_id=bid, family=fam,
            difficulty=difficulty, profile_id=profile, outcome=str(outcome),
            solved=bool(solved), cost_usd=float(cost or 0), tokens=int(tokens or 0),
        )  # fmt: skip
        out.append(row)
    return out


def _front(points: list[ExperimentPoint]) -> set[str]:
    scores = {p.profile_id: (p.success or 0.0, p.cost_usd or 0.0) for p in points}

    def dominated(success: float, cost: float) -> bool:
        return any(
            s >= success and c <= cost and (s, c) != (success, cost) for s, c in scores.values()
        )

    return {pid for pid, (success, cost) in scores.items() if not dominated(success, cost)}


def experiments(engine: Engine) -> list[Experiment]:
    """The experiments projection's jobs with a measured variant, newest first, each
    variant with its profile's registry facts and its place on the success/cost front."""
    profiles = {p.id: p for p in list_profiles(engine)}
    found = []
    for summary in list_experiments(engine):
        recorded = get_experiment(engine, summary.id)
        measured = [v for v in recorded.points if v.success is not None] if recorded else []
        if not measured:
            continue
        front = _front(measured)
        views = []
        for v in measured:
            p = profiles.get(v.profile_id)
            view = Evaluation(
                **v.model_dump(include=_MEASURED), passed=v.verdict is Verdict.passed,
                version=p.version if p else None, tags=list(p.tags) if p else [],
                passed_regression=bool(p and p.passed_regression), on_front=v.profile_id in front,
            )  # fmt: skip
            views.append(view)
        prod = prod_profile(engine, summary.role).id
        found.append(
            Experiment(experiment_id=summary.id, role=summary.role, prod_id=prod, evaluations=views)
        )
    return found


def _text(profile: Any) -> list[str]:
    settings = orjson.dumps(profile.settings.model_dump(), option=orjson.OPT_INDENT_2).decode()
    return f"{profile.template}\n\n# settings\n{settings}\n".splitlines(keepends=True)


def router() -> APIRouter:
    r = APIRouter(prefix="/dashboard", tags=["dashboard"])

    @r.get("/me", operation_id="dashboard_me", responses=responses(*COMMON))
    def me(principal: auth.Reader) -> Me:
        """The calling token's name and scopes."""
        return Me(name=principal.name, scopes=sorted(s.value for s in principal.scopes))

    @r.get("/runs", operation_id="dashboard_runs", responses=responses(*COMMON))
    def dashboard_runs(
        limit: int = Query(200, ge=1, le=5000),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> DashboardRuns:
        """The most recently active runs, each with its family and profile."""
        with ctx.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.last_seq.desc()).limit(limit)).all()
            ids = orjson.dumps([row.run_id for row in rows]).decode()
            families: dict[str, dict[str, None]] = {}
            profiles: dict[str, str] = {}
            for run_id, family, spec_family, profile in conn.execute(_RUN_JOBS_SQL, {"ids": ids}):
                if family or spec_family:
                    families.setdefault(run_id, {})[family or spec_family] = None
                if profile:
                    profiles.setdefault(run_id, profile)
        views = []
        for row in rows:
            named = list(families.get(row.run_id, ()))
            family = named[0] if len(named) == 1 else f"{len(named)} families" if named else None
            view = DashboardRun(**row._asdict(), family=family, profile_id=profiles.get(row.run_id))
            views.append(view)
        return DashboardRuns(runs=views)

    @r.get("/solves", operation_id="dashboard_solves", responses=responses(*COMMON))
    def dashboard_solves(ctx: Context, _: auth.Reader) -> SolveHistory:
        """Every ended solve job with its benchmark's family and the solver's profile."""
        return SolveHistory(solves=solve_history(ctx.engine))

    @r.get("/experiments", operation_id="dashboard_experiments", responses=responses(*COMMON))
    def dashboard_experiments(ctx: Context, _: auth.Reader) -> Experiments:
        """Optimizer experiments: each profile's regression verdict and the Pareto front."""
        return Experiments(experiments=experiments(ctx.engine))

    @r.get(
        "/profiles/{profile_id}/diff", operation_id="dashboard_profile_diff",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def profile_diff(
        profile_id: str = PROFILE_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> ProfileDiff:
        """The profile's template and settings as a unified diff against ``prod``."""
        profile, prod = with_prod(ctx, profile_id)
        lines = difflib.unified_diff(
            _text(prod), _text(profile), fromfile=prod.id, tofile=profile.id, n=2
        )
        return ProfileDiff(profile_id=profile.id, prod_id=prod.id, diff="".join(lines))

    return r
