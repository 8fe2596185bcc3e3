"""Job kinds, discovered from the event registry.

Every registered ``JobRequested`` payload is a job kind named by its event type
(``sim.job.requested`` is the kind ``sim``), answered by the ``JobCompleted`` and
``JobFailed`` payloads registered under the same kind. A new service that registers
its job events is found here (and by ``arena submit``, ``arena jobs``, the HTTP API)
without any edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from arena_core.errors import ArenaError
from arena_core.events import EventRegistry, InvalidReason, Payload, registry, subject_for
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested, job_kind


class SubmitError(ArenaError, ValueError):
    """Input that cannot become a valid job message."""

    def __init__(self, reason: InvalidReason | str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = str(reason)
        self.detail = detail


@dataclass(frozen=True)
class JobKind:
    """A job type: the request model and the events that answer it."""

    name: str
    """Short name used on the command line, e.g. ``sim``."""
    request: type[JobRequested]
    """The request payload model."""
    replies: tuple[type[Payload], ...]
    """The registered completion / failure models (completion first)."""

    @property
    def subject(self) -> str:
        return subject_for(self.request.EVENT_TYPE)

    def check_consumed(self) -> None:
        """``SubmitError`` when no worker on the bus answers this kind (a command runs it)."""
        if self.request.RUN_BY is not None:
            raise SubmitError(
                "no_worker",
                f"{self.name} jobs have no worker on the bus: run `{self.request.RUN_BY}`, "
                "which publishes the job, runs it and records its answer",
            )


def job_kinds(events: EventRegistry = registry) -> dict[str, JobKind]:
    """Every registered job type by short name."""
    answers: dict[str, list[type[Payload]]] = {}
    requests: dict[str, type[JobRequested]] = {}
    for event_type, model in events.items():
        if issubclass(model, JobRequested):
            requests[job_kind(event_type)] = model
        elif issubclass(model, JobCompleted | JobFailed):
            answers.setdefault(job_kind(event_type), []).append(model)
    return {
        name: JobKind(
            name=name,
            request=request,
            replies=tuple(sorted(answers.get(name, ()), key=lambda m: issubclass(m, JobFailed))),
        )
        for name, request in requests.items()
    }


def find_job(name: str, events: EventRegistry = registry) -> JobKind:
    """The job kind called ``name`` (a short name or its full request type)."""
    kinds = job_kinds(events)
    kind = kinds.get(name) or job_for_type(name, events)
    if kind is None:
        known = ", ".join(sorted(kinds)) or "none"
        raise SubmitError(InvalidReason.unknown_type, f"no job type {name!r}; known: {known}")
    return kind


def job_for_type(event_type: str, events: EventRegistry = registry) -> JobKind | None:
    """The job kind whose request is ``event_type``, if it is one."""
    if event_type not in events or not issubclass(events.model(event_type), JobRequested):
        return None
    return job_kinds(events).get(job_kind(event_type))
