"""Agent profile events: immutable versions of a role's genome, lifecycle moves, proofs.

A profile is what the optimizer evolves and a person approves: the role's prompt
template split into named sections, the team's settings, and the difficulty range it
serves. A version is never changed; its stage (draft -> experimental -> candidate ->
production -> archived) moves by events, and so does the ``prod`` tag (only by an
approval). The ``profiles`` tables are folded from these by the recorder.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.record import Record
from arena_core.events.registry import event

ROLE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
SECTION_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class TeamSettings(Record):
    """The knobs of one agent team; the defaults are the team's built-in behaviour."""

    model: str | None = Field(default=None, max_length=64)
    """LLM model asked (None: ``ARENA_LLM_MODEL``); the offline policy has none."""
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    """Sampling temperature (None: the model's default)."""
    max_steps: int = Field(default=80, ge=1, le=200)
    """Turns the engineer may take before it must stop."""
    max_tool_calls: int = Field(default=120, ge=1, le=2000)
    """Simulation tool calls (previews and submissions) the engineer may make."""
    population: int = Field(default=6, ge=1, le=32)
    """Designs the offline search simulates per generation (at most 8: a generation is
    one ``simulate_preview`` call)."""
    generations: int = Field(default=50, ge=1, le=200)
    """Generations the offline search breeds before it gives up."""
    stress_test: bool = True
    """Stress-test a passing design before submitting it."""
    time_margin: float = Field(default=0.85, gt=0.0, le=1.0)
    """A reach goal must be met before this share of its time limit."""
    use_skills: bool = True
    """Read learned skills before designing (and seed the search with them)."""


class PromptSection(Record):
    """One named part of a role's prompt template (its text is Jinja2)."""

    name: str = Field(pattern=SECTION_PATTERN)
    """``instructions``, ``constraints``, ``examples``, ..."""
    text: str = Field(max_length=50_000)
    """The section's template text."""


class DifficultyRange(Record):
    """The benchmark difficulties a profile serves (both ends included)."""

    low: int = Field(default=1, ge=0, le=100)
    high: int = Field(default=100, ge=0, le=100)

    def holds(self, difficulty: int) -> bool:
        return self.low <= difficulty <= self.high


class Stage(StrEnum):
    """Where a profile is in its life."""

    draft = "draft"
    """Proposed, not yet tried."""
    experimental = "experimental"
    """Under a regression batch."""
    candidate = "candidate"
    """Passed its regression batch and selected: waits for a person's approval."""
    production = "production"
    """Approved: the role's ``prod`` profile."""
    archived = "archived"
    """Rejected, lost a control, or replaced in production."""


class Objectives(Record):
    """What one regression batch measured of a profile (means over its solves)."""

    success: float = Field(ge=0.0, le=1.0)
    """Share of the batch's benchmarks solved."""
    cost_usd: float = Field(ge=0.0)
    """LLM dollars per solve."""
    tokens: float = Field(ge=0.0)
    """LLM tokens per solve."""
    latency_s: float = Field(ge=0.0)
    """Wall seconds per solve."""
    simulations: float = Field(ge=0.0)
    """Simulations per solve."""


@event("profile.version.created")
class ProfileVersionCreated(Payload):
    """A new, immutable profile version (a draft until it is tried)."""

    profile_id: str = Field(min_length=1, max_length=128)
    """``<role>-<version>-<content hash prefix>``: the same genome gives the same id."""
    role: str = Field(pattern=ROLE_PATTERN)
    version: str = Field(min_length=1, max_length=64)
    """Semantic version, unique per role (the first recorded wins)."""
    parent_ids: tuple[str, ...] = Field(default=(), max_length=4)
    """The profiles it was bred from (two after a crossover)."""
    sections: tuple[PromptSection, ...] = Field(min_length=1, max_length=16)
    settings: TeamSettings = TeamSettings()
    difficulty: DifficultyRange = DifficultyRange()
    description: str = Field(default="", max_length=2000)
    """How it was made (operators applied), in words."""
    stage: Stage = Stage.draft
    """Its first stage (``production`` only for a role's packaged default)."""


@event("profile.stage.moved")
class ProfileStageMoved(Payload):
    """A profile moved in its lifecycle (never into ``production``: that is an approval)."""

    profile_id: str = Field(min_length=1, max_length=128)
    stage: Stage
    reason: str = Field(default="", max_length=2000)


@event("profile.evaluated")
class ProfileEvaluated(Payload):
    """A regression batch's verdict on a profile."""

    profile_id: str = Field(min_length=1, max_length=128)
    experiment_id: str = Field(min_length=1, max_length=128)
    """The regression job."""
    objectives: Objectives
    targets: int = Field(ge=0)
    """Benchmarks it was tried on that its parent failed."""
    targets_solved: int = Field(ge=0)
    controls: int = Field(ge=0)
    """Benchmarks its parent passed."""
    controls_lost: tuple[str, ...] = ()
    """Control benchmarks it failed: any one keeps it from promotion."""
    passed: bool
    """Whether it passed regression (no control lost, every solve answered)."""


@event("profile.approved")
class ProfileApproved(Payload):
    """A person approved a candidate: it becomes the role's ``prod`` profile, and the
    previous one is archived."""

    profile_id: str = Field(min_length=1, max_length=128)
    role: str = Field(pattern=ROLE_PATTERN)
    approver: str = Field(min_length=1, max_length=128)
    previous_id: str | None = None
    """The profile ``prod`` pointed at before."""


__all__ = [
    "DifficultyRange",
    "Objectives",
    "ProfileApproved",
    "ProfileEvaluated",
    "ProfileStageMoved",
    "ProfileVersionCreated",
    "PromptSection",
    "Stage",
    "TeamSettings",
]
