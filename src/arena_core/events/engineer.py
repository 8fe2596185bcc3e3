"""Engineering-team events: plans, submissions, refusals, reviews, skills.

A solve (``arena_core.events.solve``) runs as a chain of events: ``solve.job.requested``
→ the planner's ``engineer.plan.created`` → the engineer's tool calls,
``engineer.solution.submitted`` (each answered by a ``critic.review.created`` caused by
it) or ``engineer.plan.refused`` → ``solve.job.completed`` caused by the request. The
team only ever sees the benchmark spec: a benchmark's reference solution is never part
of these payloads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.llm import PromptRef
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.events.sim import MeshBlob, SimFailureKind, ViolationKind
from arena_core.events.solve import (
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
    SolveOutcome,
    TeamTotals,
)
from arena_core.spec import BenchmarkSpec, Solution

# -- plans ----------------------------------------------------------------------------


class PlanItemStatus(StrEnum):
    """Progress of one TODO item."""

    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    blocked = "blocked"


class PlanItem(Record):
    """One TODO item of a plan: a part to design and how to know it works."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    """Short id the engineer uses to update it, e.g. ``p1``."""
    part: str = Field(min_length=1, max_length=64)
    """Kind of part (a template name such as ``ramp``) or ``refusal``."""
    purpose: str = Field(min_length=1, max_length=1000)
    """What the part must achieve."""
    constraints: tuple[str, ...] = ()
    """Limits that apply to it (build zone, process, budget), in words."""
    acceptance: str = Field(min_length=1, max_length=1000)
    """The check that proves the item done."""
    status: PlanItemStatus = PlanItemStatus.todo
    """Progress."""
    note: str = Field(default="", max_length=2000)
    """The engineer's latest note on it."""


@event("engineer.plan.created")
class PlanCreated(Payload):
    """The planner's TODO list for one solve, as persisted."""

    plan_id: str
    """``plan-<solve job id>`` (also its row in ``plans``)."""
    solve_job_id: str
    """The ``solve.job.requested`` this plan answers."""
    request: SolveJobRequested
    """The solve job (benchmark spec, key and limits) the plan is for."""
    strategy: str = Field(max_length=2000)
    """The approach in one paragraph."""
    items: tuple[PlanItem, ...] = Field(min_length=1, max_length=32)
    """The TODO list."""
    path: str
    """Where the recorder mirrors the plan as Markdown, relative to its workspace
    (``<run>/plan.md``)."""
    prompt: PromptRef | None = None
    """The planner prompt used."""
    totals: TeamTotals = TeamTotals()
    """What planning spent."""


@event("engineer.plan.item.updated")
class PlanItemUpdated(Payload):
    """The engineer changed the status of a TODO item."""

    plan_id: str
    """The plan."""
    item_id: str
    """The item."""
    status: PlanItemStatus
    """Its new status."""
    note: str = Field(default="", max_length=2000)
    """Why."""


# -- submissions and reviews ------------------------------------------------------------


@event("engineer.solution.submitted")
class SolutionSubmitted(Payload):
    """A design sent for review: ``final`` ones are scored, ``preview`` ones are free."""

    plan_id: str
    """The plan being worked on."""
    solve_key: str
    """Key of the solve (``SolveJobRequested.key``): review conversations derive from it."""
    benchmark_id: str
    """The benchmark."""
    spec: BenchmarkSpec
    """The benchmark spec the design is for."""
    stage: Literal["preview", "final"]
    """``final`` counts as a submission; ``preview`` asks the critic's opinion for free."""
    attempt: int = Field(ge=0)
    """Number of this final submission (1, 2, ...); 0 for previews."""
    design_id: str
    """The engineer's id of the design (hash of its CAD code)."""
    code: str = Field(max_length=200_000)
    """The build123d code that made the parts."""
    solution: Solution
    """The parts, as meshes placed in the world."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=64)
    """The meshes the solution refers to."""


class ProofKind(StrEnum):
    """Kinds of argument that a benchmark cannot be solved."""

    mass_lower_bound = "mass_lower_bound"
    """Any manufacturable part weighs more than the mass limit."""
    cost_lower_bound = "cost_lower_bound"
    """Any manufacturable part costs more than the budget."""
    goal_above_start = "goal_above_start"
    """With no motors, passive parts cannot lift the payload to a goal above its start."""


class RefusalProof(Record):
    """Structured evidence that a plan cannot be carried out; the critic re-checks it."""

    kind: ProofKind
    """The argument."""
    bound: float
    """The claimed lower bound (kg, currency) or the required height (m)."""
    limit: float
    """The benchmark's limit it is compared with (kg, currency) or the reachable height (m)."""
    material: str | None = None
    """The cheapest admissible material the bound assumes (bounds only)."""
    min_part_size_m: tuple[float, float, float] | None = None
    """Smallest admissible part extents the bound assumes (bounds only)."""
    argument: str = Field(max_length=4000)
    """The reasoning in words."""


@event("engineer.plan.refused")
class PlanRefused(Payload):
    """The engineer refuses the plan and says why, with a proof."""

    plan_id: str
    """The plan refused."""
    solve_key: str
    """Key of the solve (``SolveJobRequested.key``)."""
    benchmark_id: str
    """The benchmark."""
    spec: BenchmarkSpec
    """The benchmark spec the proof is about."""
    proof: RefusalProof
    """The evidence."""


class ReviewIssue(StrEnum):
    """What the critic found."""

    sim_failed = "sim_failed"
    """The simulation did not meet the goal."""
    constraint_violation = "constraint_violation"
    """Cost, mass, placement or a process rule is broken."""
    fragile = "fragile"
    """Passes only some jittered copies of a stress test, or with a tiny time margin."""
    invalid_proof = "invalid_proof"
    """A refusal's proof does not hold."""
    invalid_scene = "invalid_scene"
    """The simulation could not judge the design."""
    opinion = "opinion"
    """A remark of the critic's own."""


class ReviewReason(Record):
    """One reason behind a review decision."""

    issue: ReviewIssue
    """What kind of problem."""
    message: str = Field(max_length=2000)
    """The finding."""
    failure: SimFailureKind | None = None
    """The simulation failure it is about, if any."""
    violation: ViolationKind | None = None
    """The constraint violation it is about, if any."""


class SimVerdict(Record):
    """The simrunner's judgement of a design, as the critic saw it."""

    passed: bool
    """The official job passed (goal on every copy, no constraint broken)."""
    success_rate: float = Field(ge=0, le=1)
    """Fraction of jittered copies that met the goal."""
    stress_success_rate: float | None = Field(default=None, ge=0, le=1)
    """The same on the critic's stress test with more copies."""
    cost: float = Field(ge=0)
    """Material cost computed by the simrunner."""
    mass_kg: float = Field(ge=0)
    """Mass computed by the simrunner."""
    worst_time_to_goal_s: float | None = None
    """Slowest copy's time to the goal."""
    sim_time_s: float = Field(default=0.0, ge=0)
    """Simulated seconds spent on this review."""
    sim_calls: int = Field(default=0, ge=0)
    """Simulations run for this review."""
    reward: float | None = Field(default=None, ge=0, le=1)
    """The simrunner's graded reward of the official job (None: it gave no verdict)."""


@event("critic.review.created")
class CriticReviewCreated(Payload):
    """The critic's decision on a submission or refusal (which is this event's causation)."""

    plan_id: str
    """The plan."""
    subject: Literal["submission", "refusal"]
    """What was reviewed."""
    stage: Literal["preview", "final"]
    """For submissions: free preview or scored; refusals are ``final``."""
    attempt: int = Field(ge=0)
    """The submission number reviewed (0 for previews and refusals)."""
    design_id: str | None = None
    """The design reviewed."""
    decision: Literal["accept", "revise"]
    """``accept``, or ``revise`` with reasons."""
    reasons: tuple[ReviewReason, ...] = ()
    """Why (every finding, also for accepts)."""
    verdict: SimVerdict | None = None
    """The simulation verdict the decision rests on (submissions)."""
    prompt: PromptRef | None = None
    """The critic prompt used."""
    totals: TeamTotals = TeamTotals()
    """What the review spent."""


@event("engineer.review.answered")
class ReviewAnswered(Payload):
    """The engineer's answer to a review: what it will do about it."""

    plan_id: str
    """The plan."""
    review_id: str
    """The ``critic.review.created`` answered."""
    action: Literal["accepted", "revising", "giving_up"]
    """What the engineer does next."""
    note: str = Field(max_length=2000)
    """In words."""


# -- observability ---------------------------------------------------------------------


class CodeProblem(Record):
    """One problem found in generated CAD code."""

    source: Literal["lint", "compile", "runtime", "cad"]
    """Who found it: the linter, ``compile()``, the running script, the CAD checks."""
    code: str = Field(max_length=64)
    """Rule or reason name (e.g. ``F821``, ``SyntaxError``, ``non_manifold``)."""
    message: str = Field(max_length=4000)
    """What is wrong."""
    line: int | None = None
    """1-based line, when known."""


@event("engineer.code.checked")
class CodeChecked(Payload):
    """Generated CAD code was linted and run; every problem it had."""

    plan_id: str
    """The plan."""
    design_id: str
    """Hash-based id of the code."""
    linter: str
    """Which linter ran (``ruff``, ``pyflakes`` or ``compile``)."""
    ok: bool
    """True when the code ran and every part was accepted."""
    parts: int = Field(ge=0)
    """Parts accepted."""
    problems: tuple[CodeProblem, ...] = ()
    """Lint errors, script errors and CAD rejections."""


# -- skills ----------------------------------------------------------------------------


class SkillContent(Record):
    """What a skill teaches."""

    title: str = Field(min_length=1, max_length=200)
    """Short name."""
    when_to_use: str = Field(min_length=1, max_length=2000)
    """The situations it applies to."""
    steps: tuple[str, ...] = Field(min_length=1, max_length=32)
    """What to do, in order."""
    example: str = Field(max_length=20_000)
    """A worked example (parameters or code that succeeded)."""
    tags: tuple[str, ...] = ()
    """Words it is found by (benchmark family, goal kind, part kinds)."""


@event("engineer.skill.written")
class SkillWritten(Payload):
    """An agent wrote a new skill or a new version of one."""

    skill_id: str
    """Row id of this version, derived from the job that wrote it (a redelivered job
    writes the same id, and the recording keeps one row)."""
    role: str
    """Role whose skills it joins."""
    slug: str
    """Stable name across versions."""
    version: int | None = Field(default=None, ge=1)
    """Left unset by writers: the recording numbers a slug's versions 1, 2, ... in log
    order (kept so that older recordings decode)."""
    content: SkillContent
    """The skill."""
    path: str
    """Where the recorder mirrors it as Markdown, relative to its workspace
    (``skills/<role>/<slug>.md``)."""
    failures_before: int = Field(ge=0)
    """Failed attempts before the success that taught it."""


__all__ = [
    "CodeChecked",
    "CodeProblem",
    "CriticReviewCreated",
    "PlanCreated",
    "PlanItem",
    "PlanItemStatus",
    "PlanItemUpdated",
    "PlanRefused",
    "ProofKind",
    "RefusalProof",
    "ReviewAnswered",
    "ReviewIssue",
    "ReviewReason",
    "SimVerdict",
    "SkillContent",
    "SkillWritten",
    "SolutionSubmitted",
    "SolveFailure",
    "SolveJobCompleted",
    "SolveJobFailed",
    "SolveJobRequested",
    "SolveOutcome",
    "TeamTotals",
]
