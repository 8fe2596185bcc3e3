"""Jobs: a unit of work, requested once and answered by one completion or failure.

A job kind declares three payloads on these bases and registers them as
``<kind>.job.requested``, ``<kind>.job.completed`` and ``<kind>.job.failed``; the
answer names the request as its causation. Everything that treats jobs alike (the
jobs projection, ``arena submit``, redrive, export) recognises them by these bases.
"""

from __future__ import annotations

from arena_core.events.envelope import Payload

JOB_INFIX = ".job."
"""Joins a job's kind and its step in an event type: ``sim`` + ``.job.`` + ``requested``."""


class JobRequested(Payload):
    """Base of a job request."""

    @property
    def parent(self) -> str | None:
        """The batch job this one belongs to (None: a job of its own)."""
        return None


class JobCompleted(Payload):
    """Base of a job's successful answer."""

    @property
    def simulated_s(self) -> float | None:
        """Simulated seconds the job spent, added to its run's total (None: none)."""
        return None


class JobFailed(Payload):
    """Base of a job's failure."""

    @property
    def why(self) -> str | None:
        """Why it failed, in a word or a line (None: not said)."""
        return None


def job_kind(event_type: str) -> str:
    """The kind of a job event from its registered type: ``sim.job.requested`` -> ``sim``."""
    return event_type.partition(JOB_INFIX)[0]


__all__ = ["JOB_INFIX", "JobCompleted", "JobFailed", "JobRequested", "job_kind"]
