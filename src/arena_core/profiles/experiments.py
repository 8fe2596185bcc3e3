"""What an optimize job tried, as read from the recording: its variants as points of the
objective space, with their regression verdicts (``arena_core.db.experiments`` reads them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel


class Verdict(StrEnum):
    """What regression said of a variant."""

    pending = "pending"
    passed = "passed"
    lost_control = "lost_control"
    """It failed a benchmark its parent solved: never promoted."""
    lost_solves = "lost_solves"
    """Its batch lost solves (workers died or hung): not measured."""
    rejected = "rejected"
    """A guard rejected it before any experiment."""


class ExperimentPoint(BaseModel):
    """One variant: a point of the success / cost / latency / simulations space."""

    model_config = ConfigDict(frozen=True)

    profile_id: str
    seq: int
    """Stream sequence of the event that first named it in the job."""
    parent_ids: list[str]
    stage: str | None
    """The profile's lifecycle stage now (None: not in the registry)."""
    verdict: Verdict
    success: float | None
    cost_usd: float | None
    tokens: float | None
    latency_s: float | None
    simulations: float | None
    targets: int
    targets_solved: int
    controls: int
    controls_lost: list[str]
    front: bool
    promoted: bool


class ExperimentFields(SQLModel):
    """An optimize job as the experiments projection keeps it (``db/experiments``)."""

    id: str = Field(primary_key=True)
    """The ``optimize.job.requested`` envelope id."""
    role: str
    start_profile_id: str | None = None
    seed: int
    generations: int
    population: int
    status: str
    """``running``, ``completed`` or ``failed``."""
    reason: str | None = None
    """Why it failed (``OptimizeFailure``)."""
    detail: str = ""
    evaluated: int = 0
    requested_at: datetime
    finished_at: datetime | None = None


class ExperimentSummary(ExperimentFields):
    """One optimize job."""

    # Answers carry every field, defaults included.
    model_config = ConfigDict(  # type: ignore[assignment]
        frozen=True, json_schema_serialization_defaults_required=True
    )


class Experiment(ExperimentSummary):
    """One optimize job with its variants, in the order it tried them."""

    points: list[ExperimentPoint]
