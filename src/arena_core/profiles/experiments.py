"""What an optimize job tried, as read from the recording: its variants as points of the
objective space, with their regression verdicts (``arena_core.db.experiments`` reads them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


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


class ExperimentSummary(BaseModel):
    """One optimize job."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: str
    start_profile_id: str | None
    seed: int
    generations: int
    population: int
    status: str
    reason: str | None
    detail: str
    evaluated: int
    requested_at: datetime
    finished_at: datetime | None


class Experiment(ExperimentSummary):
    """One optimize job with its variants, in the order it tried them."""

    points: list[ExperimentPoint]
