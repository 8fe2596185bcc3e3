"""The demo run: a batch of generate jobs, then a solve job for each accepted benchmark."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from arena_core.events.jobs import JobCompleted, JobRequested
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.settings import LlmPolicyName


@event("demo.job.requested")
class DemoJobRequested(JobRequested):
    """Start a demo: generate ``benchmarks`` benchmarks, then solve every accepted one.

    The generate and solve jobs name this job as their ``parent_job_id``.
    """

    RUN_BY: ClassVar[str | None] = "arena demo"

    benchmarks: int = Field(ge=1, le=1000)
    """How many generate jobs to publish."""
    families: tuple[str, ...] = ()
    """Families to cycle through; empty means each job picks one at random."""
    seed: int = Field(default=0, ge=0)
    """Seed of the first benchmark; job i uses seed + i."""
    llm: LlmPolicyName = "offline"
    """Agent policy the workers run."""


class DemoRow(Record):
    """One line of the demo's summary table."""

    job_id: str
    """The generate job."""
    family: str | None
    """Benchmark family (None when generation failed before picking one)."""
    seed: int
    """Seed of the benchmark."""
    benchmark_id: str | None = None
    """Id of the accepted benchmark."""
    valid: bool = False
    """The benchmark passed the simrunner's validation and review."""
    solved: bool | None = None
    """The team's solution passed (None: not attempted)."""
    outcome: str | None = None
    """solved, refused, unsolved, or the failure reason."""
    cost: float | None = None
    """Material cost of the accepted solution."""
    max_cost: float | None = None
    """The benchmark's budget."""
    mass_kg: float | None = None
    """Mass of the accepted solution."""
    max_mass_kg: float | None = None
    """The benchmark's mass limit."""
    attempts: int = 0
    """Generation attempts plus scored submissions."""
    sim_calls: int = 0
    """Simulations the team requested."""
    tokens: int = 0
    """LLM tokens of the team."""
    wall_s: float = 0.0
    """Generation plus solve wall time."""
    note: str = ""
    """Why it was rejected or not solved."""


@event("demo.job.completed")
class DemoJobCompleted(JobCompleted):
    """The demo's summary, as printed."""

    generated: int = Field(ge=0)
    """Generate jobs that ended."""
    accepted: int = Field(ge=0)
    """Benchmarks accepted by the reviewer."""
    solved: int = Field(ge=0)
    """Benchmarks the team solved."""
    wall_s: float = Field(ge=0)
    """Wall time of the whole demo."""
    solve_wall_s: float = Field(ge=0)
    """Wall time from the first solve request to the last solve result."""
    rows: tuple[DemoRow, ...] = ()
    """One per generate job."""
