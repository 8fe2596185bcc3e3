"""Experiments: what each optimize job tried, measured and chose, as tables and views.

An experiment is one ``optimize.job.requested`` (its id is the job's envelope id); its
variants are the profiles the job created, evaluated, rejected or lost, with the
objectives their regression batch measured, the verdict, the front and the lineage.
The recorder folds them (``projections/experiments``); the query responder and the
HTTP API read them here, as the models of ``arena_core.profiles.experiments``.
"""

from __future__ import annotations

from typing import cast

import orjson
from sqlalchemy import Engine, Table, select
from sqlmodel import Field, SQLModel

from arena_core.profiles.experiments import (
    Experiment,
    ExperimentFields,
    ExperimentPoint,
    ExperimentSummary,
)
from arena_core.profiles.tables import profiles


class ExperimentRow(ExperimentFields, table=True):
    """Projection: one optimize job."""

    __tablename__ = "experiments"

    seq: int = Field(index=True)


class ExperimentVariantRow(SQLModel, table=True):
    """Projection: one profile an optimize job tried (or its start profile)."""

    __tablename__ = "experiment_variants"

    experiment_id: str = Field(primary_key=True)
    profile_id: str = Field(primary_key=True)
    seq: int = Field(index=True)
    parent_ids: str = "[]"
    """JSON array: the profiles it was bred from."""
    verdict: str = "pending"
    success: float | None = None
    cost_usd: float | None = None
    tokens: float | None = None
    latency_s: float | None = None
    simulations: float | None = None
    targets: int = 0
    targets_solved: int = 0
    controls: int = 0
    controls_lost: str = "[]"
    """JSON array of the control benchmarks it failed."""
    front: bool = False
    promoted: bool = False


experiments = cast(Table, ExperimentRow.__table__)  # type: ignore[attr-defined]
experiment_variants = cast(Table, ExperimentVariantRow.__table__)  # type: ignore[attr-defined]


def list_experiments(engine: Engine, role: str | None = None) -> list[ExperimentSummary]:
    """Every experiment (of one role), newest first."""
    query = select(experiments).order_by(experiments.c.seq.desc())
    if role is not None:
        query = query.where(experiments.c.role == role)
    with engine.connect() as conn:
        return [ExperimentSummary.model_validate(r._asdict()) for r in conn.execute(query)]


def get_experiment(engine: Engine, id: str) -> Experiment | None:
    """The experiment ``id`` with its points, or None."""
    v = experiment_variants.c
    with engine.connect() as conn:
        row = conn.execute(select(experiments).where(experiments.c.id == id)).first()
        if row is None:
            return None
        rows = conn.execute(
            select(experiment_variants, profiles.c.stage)
            .outerjoin(profiles, profiles.c.id == v.profile_id)
            .where(v.experiment_id == id)
            .order_by(v.seq, v.profile_id)
        ).all()
    points = []
    for r in rows:
        d = r._asdict()
        d.pop("experiment_id")
        d["parent_ids"] = orjson.loads(d["parent_ids"])
        d["controls_lost"] = orjson.loads(d["controls_lost"])
        points.append(ExperimentPoint.model_validate(d))
    return Experiment(**row._asdict(), points=points)
