"""Which benchmarks a batch job takes, and what of a selection names nothing.

Rollout and calibrate jobs choose their benchmarks the same way (``BenchmarkSelection``:
criteria that all must hold); the batch worker resolves the choice by asking the
recording over NATS. An id or a family that names nothing in the library is a
``batch.selection.rejected`` caused by the job, and the rest of the batch goes on; a
selection that leaves nothing to run fails the job with ``BatchFailure.no_benchmarks``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobFailed
from arena_core.events.record import Record
from arena_core.events.registry import event


class BenchmarkSelection(Record):
    """Which benchmarks to take; the criteria combine (every one must hold)."""

    benchmark_ids: tuple[str, ...] = Field(default=(), max_length=1000)
    """Library ids (or unique prefixes) and ``example:<name>[:<seed>]``; empty: the library."""
    families: tuple[str, ...] = Field(default=(), max_length=64)
    """Only benchmarks of these families."""
    min_difficulty: int | None = Field(default=None, ge=1, le=5)
    """Declared difficulty at least this."""
    max_difficulty: int | None = Field(default=None, ge=1, le=5)
    """Declared difficulty at most this."""
    max_solve_rate: float | None = Field(default=None, ge=0, le=1)
    """Measured difficulty: recorded solves succeeded at most this often (never solved: 0)."""
    failed_before: bool = False
    """Only benchmarks a recorded solve did not solve."""
    latest: int | None = Field(default=None, ge=1, le=100_000)
    """Only the newest N of the library (after the other criteria)."""
    limit: int | None = Field(default=None, ge=1, le=100_000)
    """At most this many, the first in library order (after ``latest``)."""


class SelectionProblem(StrEnum):
    """Why part of a selection names nothing."""

    unknown_benchmark = "unknown_benchmark"
    """No benchmark of the library has that id (or id prefix), and no example that name."""
    ambiguous_benchmark = "ambiguous_benchmark"
    """The id prefix matches several benchmarks."""
    unknown_family = "unknown_family"
    """The library holds no benchmark of that family."""


@event("batch.selection.rejected")
class SelectionRejected(Payload):
    """An id or family a batch job asked for names nothing; the rest of the batch goes on."""

    reason: SelectionProblem
    """What is wrong with it."""
    value: str = Field(max_length=256)
    """The id or family as asked."""
    detail: str = Field(max_length=2000)
    """A line for people (what the library has instead)."""


class BatchFailure(StrEnum):
    """Why a batch job ran nothing at all."""

    no_benchmarks = "no_benchmarks"
    """The selection matched no benchmark (see the job's rejections)."""
    recording_unreachable = "recording_unreachable"
    """No recorder answered the selection query in time."""
    too_large = "too_large"
    """More child solves than one batch may hold (``MAX_CHILDREN``)."""


MAX_CHILDREN = 4096
"""Child solves one batch may hold: its answer lists each of them."""


class BatchJobFailed(JobFailed):
    """Base of a batch job's failure: it ran nothing (no benchmark matched, the recording
    was unreachable, too many children)."""

    reason: BatchFailure
    """Why."""
    rejected: tuple[SelectionRejected, ...] = ()
    """What of the selection named nothing."""
    detail: str = Field(max_length=4000)
    """What went wrong."""

    @property
    def why(self) -> str | None:
        return self.detail


__all__ = [
    "MAX_CHILDREN",
    "BatchFailure",
    "BatchJobFailed",
    "BenchmarkSelection",
    "SelectionProblem",
    "SelectionRejected",
]
