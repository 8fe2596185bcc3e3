"""``/experiments``: what each optimize job tried — its variants' objectives, regression
verdicts, the Pareto front and the lineage (the recorder's ``experiments`` projection)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from arena_core.api import auth
from arena_core.api.context import Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.db.experiments import get_experiment, list_experiments
from arena_core.profiles.experiments import Experiment, ExperimentSummary


class ExperimentList(BaseModel):
    """Experiments, newest first."""

    experiments: list[ExperimentSummary]


def router() -> APIRouter:
    r = APIRouter(tags=["experiments"])

    @r.get("/experiments", operation_id="list_experiments", responses=responses(*COMMON))
    def list_all(
        role: str | None = Query(None, max_length=64, description="Only this agent role."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> ExperimentList:
        """Every optimize job: its role, seed, sizes and status."""
        return ExperimentList(experiments=list_experiments(ctx.engine, role))

    @r.get(
        "/experiments/{experiment_id}", operation_id="get_experiment",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def get_one(
        experiment_id: str = Path(min_length=1, max_length=128, description="An experiment id."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Experiment:
        """One optimize job with a point per variant: objectives (success, cost, latency,
        simulations), parents, stage, regression verdict, front and promotion."""
        found = get_experiment(ctx.engine, experiment_id)
        if found is None:
            raise ApiProblem(ProblemKind.not_found, f"no experiment {experiment_id!r}")
        return found

    return r
