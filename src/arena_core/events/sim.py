"""Simulation events: validating MJCF scenes and judging solutions in MuJoCo.

Mesh files travel inline: each ``MeshBlob`` carries the STL bytes (base64) with their
SHA-256, and specs and solutions refer to meshes by that hash. Everything a worker needs
is in the message, so any simrunner on any machine can take the job; the price is a size
cap (``MAX_INLINE_BYTES`` of base64 per message, below NATS's 1 MB default).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.events.registry import event
from arena_core.spec import BenchmarkSpec, Solution, SpecIssue
from arena_core.spec.geometry import Sha256

MAX_INLINE_BYTES = 900_000
"""Most base64 characters of files one request may carry inline."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- inputs ---------------------------------------------------------------------------


class MeshBlob(_Record):
    """An STL file carried inline, named by the SHA-256 of its bytes."""

    sha256: Sha256
    """SHA-256 of the decoded bytes; specs and solutions refer to the mesh by it."""
    data_b64: str = Field(max_length=MAX_INLINE_BYTES)
    """The STL bytes, base64-encoded."""

    @classmethod
    def of(cls, data: bytes) -> MeshBlob:
        """A blob for ``data`` with its hash computed."""
        return cls(
            sha256=hashlib.sha256(data).hexdigest(), data_b64=base64.b64encode(data).decode()
        )

    def data(self) -> bytes:
        """The decoded bytes; ``ValueError`` when they are not base64 or do not match the hash."""
        try:
            raw = base64.b64decode(self.data_b64, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"mesh {self.sha256[:12]}: not base64 ({exc})") from None
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise ValueError(f"mesh {self.sha256[:12]}: bytes do not match their sha256")
        return raw


def _relative(path: str) -> str:
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError("must be a relative path without empty, '.' or '..' components")
    return path


RelativePath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.\-/]{1,200}$"),
    AfterValidator(_relative),
]
"""A relative path inside the document's folder (no ``..``)."""


class AttachedFile(_Record):
    """A file next to an MJCF document (mesh, included XML), by its relative path."""

    path: RelativePath
    """Path relative to the MJCF file's folder."""
    data_b64: str = Field(max_length=MAX_INLINE_BYTES)
    """The bytes, base64-encoded."""


class SpecScene(_Record):
    """Validate the scene the simrunner builds from a spec (and optionally a solution)."""

    kind: Literal["spec"] = "spec"
    spec: BenchmarkSpec
    """The benchmark."""
    solution: Solution | None = None
    """Parts to add to the scene."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Every mesh the spec and solution refer to."""


class MjcfScene(_Record):
    """Validate an MJCF document written by anyone."""

    kind: Literal["mjcf"] = "mjcf"
    xml: str = Field(max_length=MAX_INLINE_BYTES)
    """The MJCF text."""
    files: tuple[AttachedFile, ...] = Field(default=(), max_length=128)
    """Files it includes or references, at paths relative to the document."""


def _inline_size(*texts: str) -> int:
    return sum(len(t) for t in texts)


# -- results --------------------------------------------------------------------------


class ValidationFailureKind(StrEnum):
    """Why an MJCF scene is not a valid simulation."""

    xml_syntax = "xml_syntax"
    """Not well-formed XML (MuJoCo's own parser accepts some of it)."""
    schema = "schema"
    """Violates the XSD of the MJCF subset the simrunner emits."""
    missing_asset = "missing_asset"
    """An included file or a mesh/texture file does not exist."""
    compile = "compile"
    """MuJoCo refused to compile the model (its message is kept)."""
    interpenetration = "interpenetration"
    """Colliding geoms overlap at t=0 beyond the tolerance."""
    unstable_simulation = "unstable_simulation"
    """Non-finite values, a reset after bad accelerations, or runaway velocity or energy."""
    motor_ineffective = "motor_ineffective"
    """An actuator moves nothing."""
    resource_limit = "resource_limit"
    """The input is too large, too deeply nested, or took too long to check."""


class ValidationFailure(_Record):
    """One reason a scene is invalid."""

    kind: ValidationFailureKind
    """The failure class."""
    message: str = Field(max_length=4000)
    """What exactly is wrong, for people."""
    subjects: tuple[str, ...] = ()
    """Names involved: geoms, bodies, actuators, files, elements."""
    line: int | None = None
    """Line in the XML file, when known."""
    depth_m: float | None = None
    """Penetration depth (interpenetration)."""
    volume_m3: float | None = None
    """Estimated intersection volume of two solids (interpenetration of meshes)."""
    time_s: float | None = None
    """Simulated time at which it happened (unstable_simulation)."""


class ModelStats(_Record):
    """Size of a compiled model."""

    nbody: int
    ngeom: int
    njnt: int
    nu: int
    nmesh: int
    timestep: float


class ValidationReport(_Record):
    """The verdict on one MJCF scene, with every failure found."""

    valid: bool
    """True when there is no failure."""
    failures: tuple[ValidationFailure, ...] = ()
    """Every failure, in the order the checks ran."""
    notes: tuple[str, ...] = ()
    """Non-fatal findings (MuJoCo warnings such as deprecations, skipped checks)."""
    outside_subset: tuple[str, ...] = ()
    """MJCF elements used that are outside the subset the simrunner emits (not failures)."""
    model: ModelStats | None = None
    """Size of the model, when it compiled."""
    frames_checked: int = 0
    """Frames simulated by the stability check."""
    penetration_tolerance_m: float = 0.0
    """Depth below which an overlap at t=0 counts as resting contact."""

    def kinds(self) -> set[ValidationFailureKind]:
        return {f.kind for f in self.failures}


class SimFailureKind(StrEnum):
    """Why a simulated copy (or the whole job) failed."""

    timeout = "timeout"
    """The goal was not met within the time limit."""
    out_of_bounds = "out_of_bounds"
    """A dynamic object left the world bounds."""
    forbid_zone = "forbid_zone"
    """A dynamic object or a solution part touched a forbid zone."""
    motor_overload = "motor_overload"
    """A motor ran near its torque limit for too long."""
    unstable_simulation = "unstable_simulation"
    """Non-finite state, reset after bad accelerations, or runaway velocity or energy."""
    invalid_scene = "invalid_scene"
    """The scene failed validation (see the validation report); nothing was simulated."""
    constraint_violation = "constraint_violation"
    """The solution breaks a cost, mass, placement or manufacturing rule (see scoring)."""


class SimFailure(_Record):
    """One reason a job did not pass."""

    kind: SimFailureKind
    """The failure class."""
    message: str = Field(max_length=4000)
    """What happened."""
    copy_index: int | None = None
    """Which jittered copy (``None`` = the whole job)."""
    subjects: tuple[str, ...] = ()
    """Labels involved (object, zone, motor, part)."""
    time_s: float | None = None
    """Simulated time at which it happened."""


class BodyPose(_Record):
    """Where a body ended up."""

    name: str
    """Label of the dynamic object or motor."""
    pos: tuple[float, float, float]
    quat: tuple[float, float, float, float]


class CopyResult(_Record):
    """The outcome of one jittered copy."""

    copy_index: int
    """0 .. K-1."""
    success: bool
    """The goal was met and nothing failed."""
    start: tuple[float, float, float]
    """Jittered start position of the payload."""
    time_to_goal_s: float | None = None
    """When the goal was first met (``None`` if never)."""
    failures: tuple[SimFailure, ...] = ()
    """What went wrong in this copy."""
    final_poses: tuple[BodyPose, ...] = ()
    """Pose of every dynamic object and motor part at the end."""
    max_penetration_m: float = 0.0
    """Deepest contact seen (sampled every few steps)."""
    steps: int = 0
    """Steps simulated."""


class SimMetrics(_Record):
    """Aggregate numbers of a job."""

    copies: tuple[CopyResult, ...] = ()
    success_rate: float = 0.0
    """Fraction of copies that succeeded."""
    steps: int = 0
    """Steps simulated over all copies."""
    max_penetration_m: float = 0.0
    wall_s: float = 0.0
    """Wall-clock time of the simulation phase (not deterministic)."""
    steps_per_s: float = 0.0
    """Simulation throughput (not deterministic)."""


class ViolationKind(StrEnum):
    """How a solution breaks the benchmark's constraints."""

    over_cost = "over_cost"
    over_mass = "over_mass"
    outside_build_zone = "outside_build_zone"
    process_rule = "process_rule"
    unknown_material = "unknown_material"
    unknown_motor = "unknown_motor"
    bad_mesh = "bad_mesh"
    """A mesh is missing, unreadable or not a closed solid."""


class ConstraintViolation(_Record):
    """One broken constraint."""

    kind: ViolationKind
    message: str = Field(max_length=2000)
    part: str | None = None
    """The part at fault (``None`` = the whole solution)."""
    value: float | None = None
    """The measured value."""
    limit: float | None = None
    """The limit it was checked against."""


class PartScore(_Record):
    """Mass properties of one part as the simrunner computed them."""

    name: str
    material: str
    volume_m3: float
    mass_kg: float
    cost: float
    extent_m: tuple[float, float, float]
    """Bounding-box dimensions in the part frame, largest first."""
    claimed_mass_kg: float | None = None
    """What the designer claimed, for comparison."""


class Scoring(_Record):
    """Cost and mass of a solution, checked against the constraints."""

    parts: tuple[PartScore, ...] = ()
    total_cost: float = 0.0
    total_mass_kg: float = 0.0
    violations: tuple[ConstraintViolation, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


class Reward(_Record):
    """The graded reward of a solution in [0, 1] beside pass/fail (``simrunner.reward``)."""

    value: float = Field(default=0.0, ge=0.0, le=1.0)
    """0.6 x solved + 0.3 x progress + 0.1 x margin, halved when a constraint is broken;
    0 for an invalid scene."""
    solved: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the jittered copies that met the goal."""
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    """Mean progress of the copies towards the goal (1 for a copy that met it)."""
    margin: float = Field(default=0.0, ge=0.0, le=1.0)
    """1 minus the larger share of the cost and mass limits the solution uses (0 when over
    a limit, 1 without limits)."""


class JobFailure(StrEnum):
    """Why a sim job produced no verdict."""

    resource_limit = "resource_limit"
    """The job exceeded its wall-clock budget."""


# -- events ---------------------------------------------------------------------------


@event("sim.validate.requested")
class SimValidateRequested(Payload):
    """Check that a scene compiles, is well-formed, stable, and free of overlaps."""

    scene: Annotated[SpecScene | MjcfScene, Field(discriminator="kind")]
    """What to validate: a spec (built into MJCF by the simrunner) or an MJCF document."""

    @model_validator(mode="after")
    def _small(self) -> SimValidateRequested:
        scene = self.scene
        texts = (
            [m.data_b64 for m in scene.meshes]
            if isinstance(scene, SpecScene)
            else [scene.xml, *(f.data_b64 for f in scene.files)]
        )
        if _inline_size(*texts) > MAX_INLINE_BYTES:
            raise ValueError(f"inline files exceed {MAX_INLINE_BYTES} bytes")
        return self


@event("sim.validate.completed")
class SimValidateCompleted(Payload):
    """The validation report of a requested scene."""

    report: ValidationReport
    """The verdict with every failure."""
    mjcf_sha256: str | None = None
    """SHA-256 of the MJCF that was checked."""
    mjcf: str | None = Field(default=None, max_length=MAX_INLINE_BYTES)
    """The MJCF built from a spec (absent for MJCF requests, which have it already)."""


@event("sim.job.requested")
class SimJobRequested(JobRequested):
    """Simulate a solution on every jittered copy of a benchmark and score it."""

    spec: BenchmarkSpec
    """The benchmark."""
    solution: Solution = Solution()
    """The parts to add (empty = the bare benchmark)."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Every mesh the spec and solution refer to."""
    preview: bool = False
    """A free design check by an agent: judged the same way, but never counted as a submission."""

    @model_validator(mode="after")
    def _small(self) -> SimJobRequested:
        if _inline_size(*(m.data_b64 for m in self.meshes)) > MAX_INLINE_BYTES:
            raise ValueError(f"inline meshes exceed {MAX_INLINE_BYTES} bytes")
        return self


@event("sim.job.completed")
class SimJobCompleted(JobCompleted):
    """The verdict on a solution: passed or not, why, and the measurements."""

    passed: bool
    """Valid scene, every copy succeeded, no constraint broken."""
    failures: tuple[SimFailure, ...] = ()
    """Every reason it did not pass (empty when passed)."""
    validation: ValidationReport
    """The scene's validation report."""
    metrics: SimMetrics
    """Per-copy results and aggregate numbers."""
    scoring: Scoring
    """Cost and mass as computed by the simrunner."""
    reward: Reward = Reward()
    """The graded reward in [0, 1] (one formula: ``simrunner.reward``)."""


@event("sim.job.failed")
class SimJobFailed(JobFailed):
    """A sim job produced no verdict."""

    reason: JobFailure
    """Why."""
    detail: str = Field(max_length=4000)
    """What happened."""

    @property
    def why(self) -> str | None:
        return self.reason


__all__ = [
    "MAX_INLINE_BYTES",
    "AttachedFile",
    "BodyPose",
    "ConstraintViolation",
    "CopyResult",
    "JobFailure",
    "MeshBlob",
    "MjcfScene",
    "ModelStats",
    "PartScore",
    "Reward",
    "Scoring",
    "SimFailure",
    "SimFailureKind",
    "SimJobCompleted",
    "SimJobFailed",
    "SimJobRequested",
    "SimMetrics",
    "SimValidateCompleted",
    "SimValidateRequested",
    "SpecIssue",
    "SpecScene",
    "ValidationFailure",
    "ValidationFailureKind",
    "ValidationReport",
    "ViolationKind",
]
