"""The typed queries a service may send, and their answers.

Each query names its answer type (``answer``) and its subject (``_ARENA.query.<kind>``).
The wire form of a reply is ``{"answer": {...}}`` or ``{"error": {"kind", "detail"}}``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from arena_core.events.profiles import Objectives
from arena_core.events.selection import BenchmarkSelection, SelectionRejected
from arena_core.events.sim import MeshBlob, SimJobRequested
from arena_core.profiles.experiments import Experiment, ExperimentSummary
from arena_core.profiles.model import Profile
from arena_core.prompts.skills import Skill
from arena_core.spec import BenchmarkSpec

QUERY_SUBJECT_PREFIX = "_ARENA.query"
"""Outside ``arena.>``: queries are not events and never reach the stream."""

A = TypeVar("A", bound=BaseModel)


class Answer(BaseModel):
    """Base of every answer: strict and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Query(BaseModel, Generic[A]):
    """Base of every query: strict and immutable; ``kind`` names its subject."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    answer: ClassVar[type[Any]]

    @classmethod
    def subject(cls) -> str:
        return f"{QUERY_SUBJECT_PREFIX}.{cls.kind}"


class SolveOutcome(Answer):
    """The latest recorded solve of one benchmark by one profile."""

    benchmark_id: str
    solved: bool
    reasons: tuple[str, ...] = ()


class SolveOutcomesAnswer(Answer):
    outcomes: tuple[SolveOutcome, ...]
    """One per benchmark, in benchmark id order."""


class SolveOutcomesQuery(Query[SolveOutcomesAnswer]):
    """Latest outcome per benchmark of the solves whose request names one of
    ``profile_ids`` (``None``: solves that name no profile, the built-in settings)."""

    kind: ClassVar[str] = "solve_outcomes"
    answer: ClassVar[type[Any]] = SolveOutcomesAnswer
    profile_ids: tuple[str | None, ...] = Field(min_length=1)


class BenchmarkTarget(Answer):
    """A benchmark as the team may see it: its spec and meshes, never its reference."""

    benchmark_id: str
    spec: BenchmarkSpec
    meshes: tuple[MeshBlob, ...] = ()


class TargetsAnswer(Answer):
    targets: tuple[BenchmarkTarget, ...]
    """In the order asked; ids the library does not hold are left out."""


class TargetsQuery(Query[TargetsAnswer]):
    """The library benchmarks (or built-in ``example:NAME:SEED`` ids) of these ids."""

    kind: ClassVar[str] = "targets"
    answer: ClassVar[type[Any]] = TargetsAnswer
    benchmark_ids: tuple[str, ...] = Field(max_length=1000)


class SelectedBenchmark(Answer):
    """A benchmark a selection names (fetch its spec with a ``TargetsQuery``)."""

    benchmark_id: str
    family: str
    difficulty: int


class SelectionAnswer(Answer):
    benchmarks: tuple[SelectedBenchmark, ...]
    """In library order (asked ids first, in the order asked)."""
    rejected: tuple[SelectionRejected, ...] = ()
    """What of the selection names nothing."""


class SelectionQuery(Query[SelectionAnswer]):
    """The benchmarks a batch job's selection names, and what of it names nothing."""

    kind: ClassVar[str] = "selection"
    answer: ClassVar[type[Any]] = SelectionAnswer
    selection: BenchmarkSelection


class SpentAnswer(Answer):
    usd: float
    sim_s: float


class SpentQuery(Query[SpentAnswer]):
    """Dollars and simulated seconds the recorded regression batches of ``day`` (UTC) spent."""

    kind: ClassVar[str] = "spent"
    answer: ClassVar[type[Any]] = SpentAnswer
    day: date


class ProfileAnswer(Answer):
    profile: Profile
    recorded: bool
    """False for a packaged default not recorded yet."""


class ProfileQuery(Query[ProfileAnswer]):
    """The profile ``profile_id``, or the ``prod`` profile of ``role`` when it is None.
    Refused with kind ``unknown_profile`` when there is none."""

    kind: ClassVar[str] = "profile"
    answer: ClassVar[type[Any]] = ProfileAnswer
    role: str | None = None
    """Needed when ``profile_id`` is None."""
    profile_id: str | None = None


class EvaluatedProfile(Answer):
    profile: Profile
    objectives: Objectives
    """What its latest regression batch measured."""


class EvaluatedAnswer(Answer):
    profiles: tuple[EvaluatedProfile, ...]
    """In the order they were first evaluated."""


class EvaluatedQuery(Query[EvaluatedAnswer]):
    """Every profile of ``role`` a regression batch measured, with its latest objectives."""

    kind: ClassVar[str] = "evaluated"
    answer: ClassVar[type[Any]] = EvaluatedAnswer
    role: str


class ExperimentsAnswer(Answer):
    recent: tuple[ExperimentSummary, ...]
    """The role's experiments, newest first."""
    experiment: Experiment | None = None
    """The one asked for, with its variants (None: not asked, or not recorded)."""


class ExperimentsQuery(Query[ExperimentsAnswer]):
    """The ``recent`` newest optimize jobs of ``role``, and the experiment
    ``experiment_id`` when one is named."""

    kind: ClassVar[str] = "experiments"
    answer: ClassVar[type[Any]] = ExperimentsAnswer
    role: str
    recent: int = Field(default=5, ge=0, le=100)
    experiment_id: str | None = Field(default=None, max_length=200)


class SimulationAnswer(Answer):
    run_id: str
    index: int
    """Which simulation of the run (0-based, in recording order)."""
    count: int
    """How many the run requested."""
    request: SimJobRequested
    passed: bool | None
    """What the simulator answered (None: no answer recorded)."""
    failed_copies: tuple[int, ...] = ()
    """The jittered copies that failed, in order."""


class SimulationQuery(Query[SimulationAnswer]):
    """One simulation a recorded run requested: the ``design``-th (None: the last) of the
    run whose id starts with ``run``. Refused with kind ``unknown_run`` or
    ``no_simulation``."""

    kind: ClassVar[str] = "simulation"
    answer: ClassVar[type[Any]] = SimulationAnswer
    run: str = Field(max_length=200)
    design: int | None = Field(default=None, ge=0)


class SkillsAnswer(Answer):
    skills: tuple[Skill, ...]
    """By role, slug and version; ids the recording does not hold are left out."""


class SkillsQuery(Query[SkillsAnswer]):
    """The recorded skill versions of these ids (what a solve pinned by its batch reads)."""

    kind: ClassVar[str] = "skills"
    answer: ClassVar[type[Any]] = SkillsAnswer
    ids: tuple[str, ...] = Field(max_length=10_000)


QUERIES: dict[str, type[Query[Any]]] = {
    q.kind: q
    for q in (
        SolveOutcomesQuery, TargetsQuery, SelectionQuery, SpentQuery, ProfileQuery, EvaluatedQuery,
        ExperimentsQuery, SimulationQuery, SkillsQuery,
    )
}  # fmt: skip
"""Every query, by kind (what the responder answers)."""
