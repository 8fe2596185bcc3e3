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
    Field,
    StringConstraints,
    model_validator,
)

from arena_core.events.envelope import Payload
from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.events.sim_results import (
    BodyPose,
    ConstraintViolation,
    CopyResult,
    ModelStats,
    PartScore,
    Reward,
    Scoring,
    SimFailure,
    SimFailureKind,
    SimMetrics,
    ValidationFailure,
    ValidationFailureKind,
    ValidationReport,
    ViolationKind,
)
from arena_core.spec import BenchmarkSpec, Solution, SpecIssue
from arena_core.spec.geometry import Sha256

MAX_INLINE_BYTES = 900_000
"""Most base64 characters of files one request may carry inline."""


# -- inputs ---------------------------------------------------------------------------


class MeshBlob(Record):
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


class AttachedFile(Record):
    """A file next to an MJCF document (mesh, included XML), by its relative path."""

    path: RelativePath
    """Path relative to the MJCF file's folder."""
    data_b64: str = Field(max_length=MAX_INLINE_BYTES)
    """The bytes, base64-encoded."""


class SpecScene(Record):
    """Validate the scene the simrunner builds from a spec (and optionally a solution)."""

    kind: Literal["spec"] = "spec"
    spec: BenchmarkSpec
    """The benchmark."""
    solution: Solution | None = None
    """Parts to add to the scene."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Every mesh the spec and solution refer to."""


class MjcfScene(Record):
    """Validate an MJCF document written by anyone."""

    kind: Literal["mjcf"] = "mjcf"
    xml: str = Field(max_length=MAX_INLINE_BYTES)
    """The MJCF text."""
    files: tuple[AttachedFile, ...] = Field(default=(), max_length=128)
    """Files it includes or references, at paths relative to the document."""


def _inline_size(*texts: str) -> int:
    return sum(len(t) for t in texts)


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
    until_first_failure: bool = False
    """Only "does every copy pass?" is asked: the first copy runs alone and the others only
    if it succeeded, so a failing design costs one copy. Metrics and reward then cover the
    copies simulated."""

    @model_validator(mode="after")
    def _small(self) -> SimJobRequested:
        if _inline_size(*(m.data_b64 for m in self.meshes)) > MAX_INLINE_BYTES:
            raise ValueError(f"inline meshes exceed {MAX_INLINE_BYTES} bytes")
        return self


MAX_MJCF_CHARS = 200_000
"""Largest MJCF a verdict carries (larger scenes are left out of it)."""


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
    mjcf: str = Field(default="", max_length=MAX_MJCF_CHARS)
    """The scene as simulated (MJCF; meshes named ``meshes/<sha256>.stl``), for jobs that
    are not previews; empty for previews and for a scene larger than the limit."""


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
