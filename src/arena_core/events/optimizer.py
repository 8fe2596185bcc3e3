"""Optimizer events: optimize jobs, regression batches, guards, the daily budget, fronts.

``optimize.job.requested`` starts a loop on one role: observe the recording, propose
profile variants, guard them, try each on a ``regression.job.requested`` batch (its
children are ``solve.job.requested`` jobs naming the batch as parent), select with
NSGA-II and promote the front's winners to ``candidate``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.events.profiles import ROLE_PATTERN, Objectives, TeamSettings
from arena_core.events.record import Record
from arena_core.events.registry import event


@event("optimize.job.requested")
class OptimizeJobRequested(JobRequested):
    """Evolve one role's profile for a few generations."""

    role: str = Field(default="engineer", pattern=ROLE_PATTERN)
    profile_id: str | None = Field(default=None, max_length=128)
    """The profile to start from (None: the role's ``prod`` profile)."""
    generations: int = Field(default=2, ge=1, le=50)
    population: int = Field(default=4, ge=2, le=64)
    """Variants proposed per generation."""
    seed: int = Field(default=0, ge=0)
    """Global seed: generation g draws from ``(seed, g)``."""
    targets: int = Field(default=20, ge=1, le=200)
    """Failed benchmarks per regression batch."""
    controls: int = Field(default=5, ge=0, le=100)
    """Passed benchmarks per regression batch (a variant that fails one is not promoted)."""
    validation: int = Field(default=0, ge=0, le=100)
    """Recorded benchmarks outside the batch that decide promotion: a front member is
    promoted only when it solves at least the start profile's share of them (0: the
    batch decides)."""
    success_below: float = Field(default=1.0, ge=0.0, le=1.0)
    """Optimize only when the profile's recorded success rate is below this."""
    solve_timeout_s: float = Field(default=900.0, gt=0.0)
    """How long one child solve may take before the batch gives up on it."""


class FrontMember(Record):
    """One profile on the Pareto front."""

    profile_id: str
    parent_ids: tuple[str, ...] = ()
    objectives: Objectives
    promoted: bool = False


@event("optimize.job.completed")
class OptimizeJobCompleted(JobCompleted):
    """The loop's answer: the final front and the profiles promoted to ``candidate``."""

    role: str
    generations: int = Field(ge=0)
    evaluated: int = Field(ge=0)
    """Profiles tried on a regression batch."""
    front: tuple[FrontMember, ...] = ()
    promoted: tuple[str, ...] = ()


class OptimizeFailure(StrEnum):
    """Why an optimize job did not run."""

    unknown_role = "unknown_role"
    unknown_profile = "unknown_profile"
    no_benchmarks = "no_benchmarks"
    """The recording has no solved or failed benchmark of the role to learn from."""
    budget_exhausted = "budget_exhausted"
    workers_lost = "workers_lost"
    """The start profile's own regression batch lost children: nothing to compare with."""
    nothing_to_improve = "nothing_to_improve"
    recording_unreachable = "recording_unreachable"
    """No recorder answered the optimizer's queries of the recording in time."""


@event("optimize.job.failed")
class OptimizeJobFailed(JobFailed):
    """The loop could not start or stopped before evaluating anything."""

    reason: OptimizeFailure
    detail: str = Field(max_length=4000)

    @property
    def why(self) -> str | None:
        return self.reason.value


@event("regression.job.requested")
class RegressionJobRequested(JobRequested):
    """A batch: solve every target and control with one profile's settings."""

    profile_id: str = Field(min_length=1, max_length=128)
    parent_job_id: str | None = None
    """The optimize job it serves."""
    settings: TeamSettings
    targets: tuple[str, ...] = Field(default=(), max_length=500)
    """Benchmark ids the parent profile failed."""
    controls: tuple[str, ...] = Field(default=(), max_length=500)
    """Benchmark ids the parent profile solved."""
    seed: int = Field(default=0, ge=0)
    """Rollout seed of every child solve."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


@event("regression.job.completed")
class RegressionJobCompleted(JobCompleted):
    """Every child answered: what they measured."""

    profile_id: str
    objectives: Objectives
    solved: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    sim_time_s: float = Field(default=0.0, ge=0.0)
    """Simulated seconds the batch spent (the daily budget counts them)."""
    cost_usd: float = Field(default=0.0, ge=0.0)
    """LLM dollars the batch spent (the daily budget counts them)."""

    @property
    def simulated_s(self) -> float | None:
        return self.sim_time_s


class RegressionFailure(StrEnum):
    """Why a regression batch has no verdict."""

    workers_lost = "workers_lost"
    """A child solve got no answer before its deadline."""
    guard_rejected = "guard_rejected"


@event("regression.job.failed")
class RegressionJobFailed(JobFailed):
    """The batch could not be measured; the profile is not promoted."""

    profile_id: str
    reason: RegressionFailure
    detail: str = Field(max_length=4000)
    missing: tuple[str, ...] = ()
    """Children with no answer."""

    @property
    def why(self) -> str | None:
        return self.reason.value


class GuardName(StrEnum):
    """The checks a variant passes before any experiment."""

    template = "template"
    """Jinja2 syntax and variables, rendered with dummy values."""
    sanity = "sanity"
    """Rules against empty, huge or instruction-dropping prompts (or a cheap model's verdict)."""


@event("optimize.guard.rejected")
class GuardRejected(Payload):
    """A proposed variant failed a guard and was never tried."""

    profile_id: str
    guard: GuardName
    problems: tuple[str, ...] = Field(min_length=1, max_length=32)


@event("optimize.budget.exhausted")
class BudgetExhausted(Payload):
    """The day's optimizer budget is spent: no more experiments are scheduled today."""

    day: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    spent_usd: float = Field(ge=0.0)
    spent_sim_s: float = Field(ge=0.0)
    max_usd: float = Field(ge=0.0)
    max_sim_s: float = Field(ge=0.0)


__all__ = [
    "BudgetExhausted",
    "FrontMember",
    "GuardName",
    "GuardRejected",
    "OptimizeFailure",
    "OptimizeJobCompleted",
    "OptimizeJobFailed",
    "OptimizeJobRequested",
    "RegressionFailure",
    "RegressionJobCompleted",
    "RegressionJobFailed",
    "RegressionJobRequested",
]
