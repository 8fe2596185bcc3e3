"""Rollouts: solve each chosen benchmark K times, each solve its own graded conversation.

``rollout.job.requested`` is a batch job, run by the ``batcher`` worker: it resolves the
selection by asking the recording, and its children are ``solve.job.requested`` jobs
naming it as ``parent_job_id``, one per benchmark and rollout seed. The GRPO and
preference exports group the children's conversations by benchmark.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from arena_core.events.jobs import JobCompleted, JobRequested
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.events.selection import BatchJobFailed, BenchmarkSelection, SelectionRejected
from arena_core.settings import LlmPolicyName


@event("rollout.job.requested")
class RolloutJobRequested(JobRequested, BenchmarkSelection):
    """Solve each selected benchmark ``k`` times, each rollout its own solve job.

    Rollout ``i`` of a benchmark has the rollout seed ``seed + i``; every child
    ``solve.job.requested`` names this job as its ``parent_job_id``.
    """

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"benchmark_ids": ["example:ball_to_goal:0"], "k": 8}]}
    )

    k: int = Field(ge=1, le=64)
    """Rollouts per benchmark (the GRPO group size)."""
    seed: int = Field(default=0, ge=0)
    """First rollout seed."""
    llm: LlmPolicyName = "offline"
    """Policy of the team: ``offline`` varies its search by the rollout seed; ``anthropic``
    samples at the configured temperature."""
    temperature: float | None = Field(default=None, ge=0, le=1)
    """Sampling temperature of the ``anthropic`` policy (None: the model's default)."""
    max_submissions: int = Field(default=3, ge=1, le=20)
    """Scored submissions each rollout may make."""
    max_sim_calls: int = Field(default=120, ge=1, le=2000)
    """Simulations each rollout may request."""
    concurrency: int = Field(default=4, ge=1, le=64)
    """Child solves in flight at once."""
    solve_timeout_s: float = Field(default=900.0, gt=0, le=86_400)
    """How long to wait for each child solve; one with no answer by then counts as failed."""
    parent_job_id: str | None = None
    """The job this batch belongs to, if any."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


class RolloutResult(Record):
    """One rollout: a child solve job and how it ended."""

    benchmark_id: str
    """The benchmark."""
    rollout_seed: int = Field(ge=0)
    """Its rollout seed."""
    job_id: str
    """The child ``solve.job.requested``."""
    solved: bool
    """The team solved it."""
    reward: float | None = Field(default=None, ge=0, le=1)
    """The simrunner's graded reward of the rollout's last scored submission (0 when it
    submitted nothing; None when the solve produced no outcome)."""
    failed: str | None = None
    """Why the solve produced no outcome (``solve.job.failed``, no answer in time)."""


@event("rollout.job.completed")
class RolloutJobCompleted(JobCompleted):
    """Every rollout ended (solved, unsolved or failed)."""

    benchmarks: int = Field(ge=0)
    """Benchmarks rolled out."""
    rollouts: int = Field(ge=0)
    """Child solve jobs that ended."""
    solved: int = Field(ge=0)
    """Rollouts the team solved."""
    failed: int = Field(ge=0)
    """Rollouts that produced no outcome."""
    wall_s: float = Field(ge=0)
    """Wall time of the batch."""
    results: tuple[RolloutResult, ...] = ()
    """One per rollout, in request order."""
    rejected: tuple[SelectionRejected, ...] = ()
    """What of the selection named nothing (each also a ``batch.selection.rejected``)."""


@event("rollout.job.failed")
class RolloutJobFailed(BatchJobFailed):
    """The batch ran nothing (no benchmark matched, the recording was unreachable)."""


__all__ = ["RolloutJobCompleted", "RolloutJobFailed", "RolloutJobRequested", "RolloutResult"]
