"""Benchmark generation events: jobs, the reviewer's funnel, created and rejected benchmarks.

A ``benchmark.job.requested`` is answered, in order, by one
``benchmark.review.stage.completed`` per funnel stage that ran (for every attempt),
then ``benchmark.created`` + ``benchmark.reference.recorded`` (accepted) or
``benchmark.rejected``, and finally ``benchmark.job.completed`` or
``benchmark.job.failed``; all with the request as causation.

The reference ("expected") solution never travels in ``benchmark.created``: solvers
read the created event and the library, the reference lives only in
``benchmark.reference.recorded`` and its artifact, which solvers are not given.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from arena_core.events.artifacts import ArtifactRef
from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.events.sim import MeshBlob
from arena_core.settings import LlmPolicyName
from arena_core.spec import BenchmarkSpec, Solution
from arena_core.spec.geometry import Sha256

FamilyName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""Name of a benchmark family, e.g. ``bridge_gap``."""


class ReviewStage(StrEnum):
    """Stages of the reviewer's funnel, in the order they run."""

    code = "code"
    """The scene and reference CAD scripts run in the sandbox and map onto a spec."""
    mjcf = "mjcf"
    """The spec is consistent and its MJCF scene compiles and matches the schema."""
    physics = "physics"
    """The scene is physically sane: no overlaps at rest, stable, motors move things."""
    solvable = "solvable"
    """The reference solution reaches the goal within every constraint on every copy."""
    not_trivial = "not_trivial"
    """The bare benchmark (no solution parts) fails: it does not solve itself."""


REVIEW_STAGES: tuple[ReviewStage, ...] = tuple(ReviewStage)
"""Every stage in funnel order."""


class ReviewReasonKind(StrEnum):
    """Why a stage did not pass."""

    cad_rejected = "cad_rejected"
    """A CAD script failed or one of its parts was rejected (see the CAD reason)."""
    bad_role = "bad_role"
    """A part's role is not one the generator understands."""
    unknown_material = "unknown_material"
    """A part's density matches no material of the benchmark."""
    missing_payload = "missing_payload"
    """The scene script did not build the payload the goal names."""
    invalid_spec = "invalid_spec"
    """The parts could not form a valid spec (shape or field limits)."""
    spec_contradiction = "spec_contradiction"
    """The spec contradicts itself (see ``Contradiction``)."""
    invalid_mjcf = "invalid_mjcf"
    """The MJCF scene is not valid (syntax, schema, assets, compile)."""
    unsound_physics = "unsound_physics"
    """Overlaps at rest, unstable simulation, or a motor that moves nothing."""
    reference_failed = "reference_failed"
    """The reference solution missed the goal on at least one copy."""
    reference_violates_constraints = "reference_violates_constraints"
    """The reference solution breaks a cost, mass, placement or process rule."""
    trivial = "trivial"
    """The benchmark is solved with no parts at all."""
    simulation_unavailable = "simulation_unavailable"
    """The simrunner gave no verdict (timeout, rejection of the request)."""


class ReviewReason(Record):
    """One reason a stage did not pass."""

    kind: ReviewReasonKind
    """The reason's class."""
    detail: str = Field(max_length=4000)
    """What exactly is wrong, in words the code writer can act on."""
    code: str | None = Field(default=None, max_length=64)
    """The underlying typed reason: a ``RejectReason``, ``Contradiction``,
    ``ValidationFailureKind``, ``SimFailureKind`` or ``ViolationKind``."""
    subjects: tuple[str, ...] = ()
    """Labels or part names involved."""


class Triviality(Record):
    """How often random designs solve a benchmark (the ``not_trivial`` stage's statistics).

    N seeded random designs (random templates with random parameters inside the build
    zone) are simulated; the benchmark is trivial when at least ``threshold`` of them pass
    on every jittered copy."""

    designs: int = Field(ge=0)
    """N: random designs simulated."""
    passes: int = Field(ge=0)
    """How many met the goal on every jittered copy."""
    rate: float = Field(ge=0, le=1)
    """passes / N."""
    threshold: float = Field(ge=0, le=1)
    """The rate at which a benchmark is rejected as trivial."""
    seed: int = Field(ge=0)
    """Seed of the random designs."""


class JobFailureReason(StrEnum):
    """Why a generation job produced no benchmark."""

    rejected = "rejected"
    """Every attempt was rejected by the reviewer (see ``benchmark.rejected``)."""
    llm_failed = "llm_failed"
    """The code writer gave no usable answer (LLM error, budget spent, turn limit)."""


# -- events ---------------------------------------------------------------------------


@event("benchmark.job.requested")
class BenchmarkJobRequested(JobRequested):
    """Generate one benchmark of a family (or a random family) from a seed."""

    family: FamilyName | None = None
    """Family to draw from; ``None`` picks one from the seed."""
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    """Seed of the family's parameters: the same seed gives the same benchmark."""
    difficulty: int = Field(default=1, ge=1, le=5)
    """1 (easy) to 5 (hard)."""
    parent_job_id: str | None = Field(default=None, max_length=128)
    """The batch job this one belongs to."""
    max_attempts: int = Field(default=3, ge=1, le=10)
    """Most code submissions the writer may make before the job is rejected."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


@event("benchmark.review.stage.completed")
class BenchmarkReviewStageCompleted(Payload):
    """One stage of the reviewer's funnel ran on one attempt."""

    family: FamilyName
    """Family of the benchmark under review."""
    seed: int = Field(ge=0)
    """Seed of the benchmark under review."""
    attempt: int = Field(ge=1)
    """Which submission of the job (1 = first)."""
    stage: ReviewStage
    """The stage."""
    passed: bool
    """Whether the stage passed (a failed stage ends the attempt)."""
    reasons: tuple[ReviewReason, ...] = ()
    """Why it did not pass (empty when passed)."""
    wall_s: float = Field(ge=0)
    """Wall-clock seconds the stage took (not deterministic)."""
    triviality: Triviality | None = None
    """The random-design statistics (``not_trivial`` stage, once the bare benchmark failed)."""


@event("benchmark.created")
class BenchmarkCreated(Payload):
    """An accepted benchmark, as solvers see it: the spec and its files, no reference."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    """Library key: ``<family>-<first 16 hex of spec_sha256>``."""
    spec: BenchmarkSpec
    """The benchmark (it has no solution in it)."""
    spec_sha256: Sha256
    """SHA-256 of the spec's canonical JSON (same seed, same hash)."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Meshes the spec refers to, inline (solvers attach them to their sim jobs)."""
    scene_code: ArtifactRef
    """The scene's CAD script."""
    mjcf: ArtifactRef
    """The MJCF scene the simrunner built and validated."""
    mesh_files: tuple[ArtifactRef, ...] = ()
    """Every scene part's STL, as stored artifacts."""
    attempts: int = Field(ge=1)
    """Submissions it took."""
    policy: LlmPolicyName
    """Who wrote the code: ``offline`` (procedural family), ``anthropic`` or ``replay``."""
    empty_success_rate: float = Field(ge=0, le=1)
    """Fraction of copies the bare benchmark passed (0 for a fair benchmark)."""
    triviality: Triviality | None = None
    """How often random designs solved it (below the threshold, or it was rejected)."""


@event("benchmark.reference.recorded")
class BenchmarkReferenceRecorded(Payload):
    """The reference solution of an accepted benchmark; never given to solvers."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    """The benchmark it solves."""
    spec_sha256: Sha256
    """Hash of the spec it solves."""
    solution: Solution
    """The reference parts."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Meshes the solution refers to, inline."""
    code: ArtifactRef
    """The reference's CAD script."""
    success_rate: float = Field(ge=0, le=1)
    """Fraction of jittered copies it passed (1 when accepted)."""
    total_cost: float = Field(ge=0)
    """Cost as the simrunner computed it."""
    total_mass_kg: float = Field(ge=0)
    """Mass as the simrunner computed it."""


@event("benchmark.rejected")
class BenchmarkRejected(Payload):
    """The reviewer rejected every attempt; the last attempt's failing stage and reasons."""

    family: FamilyName
    """Family of the benchmark."""
    seed: int = Field(ge=0)
    """Seed of the benchmark."""
    stage: ReviewStage
    """Stage the last attempt failed at."""
    reasons: tuple[ReviewReason, ...] = Field(min_length=1)
    """Why."""
    attempts: int = Field(ge=1)
    """Submissions made."""


@event("benchmark.job.completed")
class BenchmarkJobCompleted(JobCompleted):
    """A generation job produced an accepted benchmark."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    """The library key of the new benchmark."""
    family: FamilyName
    """Its family."""
    seed: int = Field(ge=0)
    """Its seed."""
    spec_sha256: Sha256
    """Hash of its spec."""
    attempts: int = Field(ge=1)
    """Submissions it took."""


@event("benchmark.job.failed")
class BenchmarkJobFailed(JobFailed):
    """A generation job produced no benchmark."""

    family: FamilyName
    """Family that was asked for (or drawn)."""
    seed: int = Field(ge=0)
    """Seed of the job."""
    reason: JobFailureReason
    """Why."""
    stage: ReviewStage | None = None
    """Stage the last attempt failed at, for ``rejected``."""
    detail: str = Field(max_length=4000)
    """What happened."""
    attempts: int = Field(ge=0)
    """Submissions made."""

    @property
    def why(self) -> str | None:
        return self.reason


__all__ = [
    "REVIEW_STAGES",
    "BenchmarkCreated",
    "BenchmarkJobCompleted",
    "BenchmarkJobFailed",
    "BenchmarkJobRequested",
    "BenchmarkReferenceRecorded",
    "BenchmarkRejected",
    "BenchmarkReviewStageCompleted",
    "FamilyName",
    "JobFailureReason",
    "ReviewReason",
    "ReviewReasonKind",
    "ReviewStage",
    "Triviality",
]
