"""Calibration events: a benchmark's difficulty measured by solving it K times.

``calibrate.job.requested`` is a batch, run by the ``batcher`` worker: its children are
``solve.job.requested`` jobs (``parent_job_id`` = the calibration job), K per benchmark
with rollout seeds 0..K-1 and one simulation budget. Each benchmark's figures arrive as
``benchmark.calibrated`` (or ``benchmark.calibration.failed`` for one that cannot be
measured, while the rest of the batch goes on), then ``calibrate.job.completed`` with
every figure; all caused by the request.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobCompleted, JobRequested
from arena_core.events.registry import event
from arena_core.events.selection import BatchJobFailed, BenchmarkSelection, SelectionRejected


@event("calibrate.job.requested")
class CalibrateJobRequested(JobRequested, BenchmarkSelection):
    """Measure the difficulty of the selected benchmarks with K rollouts of the team each."""

    rollouts: int = Field(default=4, ge=1, le=64)
    """K: solves per benchmark, with rollout seeds 0 .. K-1."""
    max_sim_calls: int = Field(default=30, ge=1, le=2000)
    """The simulation budget of every solve."""
    concurrency: int = Field(default=4, ge=1, le=64)
    """Child solves in flight at once."""
    solve_timeout_s: float = Field(default=1800.0, gt=0, le=86_400)
    """How long to wait for each child solve; one with no answer by then counts as failed."""
    parent_job_id: str | None = Field(default=None, max_length=128)
    """The batch this calibration belongs to."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


@event("benchmark.calibrated")
class BenchmarkCalibrated(Payload):
    """A benchmark's measured difficulty: how often, and how soon, the team solves it."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    family: str
    difficulty: int = Field(ge=1, le=5)
    """The declared difficulty."""
    rollouts: int = Field(ge=1)
    """K."""
    max_sim_calls: int = Field(ge=1)
    """The simulation budget of each solve."""
    solved: int = Field(ge=0)
    """Rollouts that solved it."""
    pass_at_1: float = Field(ge=0, le=1)
    """solved / K: the chance one rollout solves it."""
    pass_at_k: float = Field(ge=0, le=1)
    """1 when any of the K rollouts solved it."""
    auccess: float = Field(ge=0, le=1)
    """Area under the success-vs-simulations curve with PHYRE's weights
    (log(b+1) - log(b) for budget b), so early successes count more."""
    sims_to_solve: tuple[int | None, ...] = ()
    """Simulations each rollout used until it was solved (``None``: unsolved)."""


class CalibrationFailure(StrEnum):
    """Why a benchmark of a calibration could not be measured."""

    unknown_benchmark = "unknown_benchmark"
    """No benchmark with that id in the library (recordings made before selections were
    rejected as ``batch.selection.rejected``)."""
    solve_failed = "solve_failed"
    """A rollout produced no outcome (team error or a rejected request)."""


@event("benchmark.calibration.failed")
class BenchmarkCalibrationFailed(Payload):
    """One benchmark of a calibration could not be measured; the others go on."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    reason: CalibrationFailure
    detail: str = Field(max_length=4000)


@event("calibrate.job.completed")
class CalibrateJobCompleted(JobCompleted):
    """A calibration batch is done."""

    calibrated: int = Field(ge=0)
    """Benchmarks measured."""
    failed: int = Field(ge=0)
    """Benchmarks that could not be measured."""
    pass_at_1: float = Field(ge=0, le=1)
    """Mean pass@1 over the measured benchmarks."""
    wall_s: float = Field(ge=0)
    results: tuple[BenchmarkCalibrated, ...] = ()
    """The figures of each measured benchmark (also each a ``benchmark.calibrated``)."""
    failures: tuple[BenchmarkCalibrationFailed, ...] = ()
    """The benchmarks that could not be measured."""
    rejected: tuple[SelectionRejected, ...] = ()
    """What of the selection named nothing (each also a ``batch.selection.rejected``)."""


@event("calibrate.job.failed")
class CalibrateJobFailed(BatchJobFailed):
    """A calibration ran nothing (no benchmark matched, the recording was unreachable)."""

    @property
    def why(self) -> str | None:
        return self.detail[:200]


__all__ = [
    "BenchmarkCalibrated",
    "BenchmarkCalibrationFailed",
    "CalibrateJobCompleted",
    "CalibrateJobFailed",
    "CalibrateJobRequested",
    "CalibrationFailure",
]
