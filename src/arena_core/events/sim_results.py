"""What the simrunner reports: validation reports, per-copy results, scoring, reward.

The records carried by ``sim.validate.completed`` and ``sim.job.completed``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.record import Record


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


class ValidationFailure(Record):
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


class ModelStats(Record):
    """Size of a compiled model."""

    nbody: int
    ngeom: int
    njnt: int
    nu: int
    nmesh: int
    timestep: float


class ValidationReport(Record):
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


class SimFailure(Record):
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


class BodyPose(Record):
    """Where a body ended up."""

    name: str
    """Label of the dynamic object or motor."""
    pos: tuple[float, float, float]
    quat: tuple[float, float, float, float]


class CopyResult(Record):
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


class SimMetrics(Record):
    """Aggregate numbers of a job."""

    copies: tuple[CopyResult, ...] = ()
    copies_skipped: int = Field(default=0, ge=0)
    """Copies not simulated because the first one failed (``until_first_failure``)."""
    success_rate: float = 0.0
    """Fraction of the simulated copies that succeeded."""
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


class ConstraintViolation(Record):
    """One broken constraint."""

    kind: ViolationKind
    message: str = Field(max_length=2000)
    part: str | None = None
    """The part at fault (``None`` = the whole solution)."""
    value: float | None = None
    """The measured value."""
    limit: float | None = None
    """The limit it was checked against."""


class PartScore(Record):
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


class Scoring(Record):
    """Cost and mass of a solution, checked against the constraints."""

    parts: tuple[PartScore, ...] = ()
    total_cost: float = 0.0
    total_mass_kg: float = 0.0
    violations: tuple[ConstraintViolation, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


class Reward(Record):
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
