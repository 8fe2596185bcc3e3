"""Jobs: a unit of work, requested once and answered by one completion or failure.

A job kind declares three payloads on these bases and registers them as
``<kind>.job.requested``, ``<kind>.job.completed`` and ``<kind>.job.failed``; the
answer names the request as its causation. Everything that treats jobs alike (the
jobs projection, ``arena submit``, redrive, export) recognises them by these bases.
"""

from __future__ import annotations

from typing import ClassVar

from arena_core.events.envelope import Payload

JOB_INFIX = ".job."
"""Joins a job's kind and its step in an event type: ``sim`` + ``.job.`` + ``requested``."""


class JobRequested(Payload):
    """Base of a job request."""

    RUN_BY: ClassVar[str | None] = None
    """The command that runs this job itself (publishing it, its children and its
    answer), when no worker on the bus consumes it: ``arena submit`` and the HTTP API
    refuse such a job, naming the command, instead of publishing a request nobody answers."""

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


_STEPS: tuple[tuple[type[Payload], str], ...] = (
    (JobRequested, "requested"),
    (JobCompleted, "completed"),
    (JobFailed, "failed"),
)


def check_job_type(event_type: str, model: type[Payload]) -> None:
    """``ValueError`` unless job payloads, and only they, are registered as job steps.

    A ``JobRequested`` is registered as ``<kind>.job.requested``, a ``JobCompleted`` as
    ``<kind>.job.completed``, a ``JobFailed`` as ``<kind>.job.failed``.
    """
    _, infix, step = event_type.partition(JOB_INFIX)
    expected = next((name for base, name in _STEPS if issubclass(model, base)), None)
    if expected is None and step in dict(_STEPS).values():
        raise ValueError(
            f"{event_type!r} is a job step: {model.__name__} must derive from a job base"
        )
    if expected is not None and (not infix or step != expected):
        raise ValueError(
            f"{model.__name__} is a job payload: register it as '<kind>{JOB_INFIX}{expected}'"
        )


def job_kind(event_type: str) -> str:
    """The kind of a job event from its registered type: ``sim.job.requested`` -> ``sim``."""
    return event_type.partition(JOB_INFIX)[0]


__all__ = ["JOB_INFIX", "JobCompleted", "JobFailed", "JobRequested", "check_job_type", "job_kind"]
