"""Solve jobs: a benchmark for the engineering team, and how the solve ended.

``solve.job.requested`` starts the team (planner, engineer, critic) on one benchmark;
``solve.job.completed`` carries the outcome, the accepted solution's cost and mass and
the team's spend, ``solve.job.failed`` a solve that produced no outcome at all. The team
only ever sees the benchmark spec, never its reference solution.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.events.jobs import JobCompleted, JobFailed, JobRequested
from arena_core.events.llm import PromptRef
from arena_core.events.profiles import TeamSettings
from arena_core.events.record import Record
from arena_core.events.registry import event
from arena_core.events.sim import MeshBlob
from arena_core.spec import BenchmarkSpec, Solution


class TeamTotals(Record):
    """What one agent's conversations spent (carried so the solve can sum the team)."""

    llm_calls: int = Field(default=0, ge=0)
    """LLM calls answered."""
    tokens: int = Field(default=0, ge=0)
    """Tokens of every kind."""
    cost_usd: float = Field(default=0.0, ge=0)
    """Money spent on LLM calls."""
    llm_latency_s: float = Field(default=0.0, ge=0)
    """Sum of LLM call wall times."""


@event("solve.job.requested")
class SolveJobRequested(JobRequested):
    """Solve a benchmark with the engineering team (planner, engineer, critic)."""

    benchmark_id: str = Field(min_length=1, max_length=128)
    """Id of the benchmark (or ``example:<name>`` for a built-in example)."""
    spec: BenchmarkSpec
    """The benchmark as the team sees it (never its reference solution)."""
    meshes: tuple[MeshBlob, ...] = Field(default=(), max_length=128)
    """Meshes the spec's scene refers to."""
    key: str = Field(min_length=1, max_length=128)
    """Stable key of this solve: conversation ids derive from it, so a redriven job replays."""
    parent_job_id: str | None = None
    """The job this solve is part of (a batch, an experiment)."""
    max_submissions: int = Field(default=3, ge=1, le=20)
    """Scored submissions the engineer may make."""
    max_sim_calls: int = Field(default=120, ge=1, le=2000)
    """Simulations (previews and submissions) the engineer may request."""
    rollout_seed: int = Field(default=0, ge=0)
    """Seed of the team's own search: the same benchmark and rollout seed give the same
    solve; another rollout seed searches differently (K rollouts for pass@K)."""
    settings: TeamSettings = TeamSettings()
    """The team's knobs (a profile's settings); the defaults are the built-in behaviour."""
    profile_id: str | None = Field(default=None, max_length=128)
    """The profile whose settings these are (None: the built-in defaults)."""
    prompt_template: str | None = Field(default=None, max_length=50_000)
    """The engineer's Jinja2 template for this solve (a profile under test), named by
    ``prompt``; None: the role's ``prod`` prompt."""
    prompt: PromptRef | None = None
    """How LLM events name ``prompt_template``."""
    skills: tuple[str, ...] | None = Field(default=None, max_length=10_000)
    """Ids of the skill versions the team may read, fixed by the batch that asked (the K
    rollouts of a batch see one world, whatever its solves teach meanwhile, so rollouts
    of one benchmark share their prompt); None: the latest version of every skill."""

    @property
    def parent(self) -> str | None:
        return self.parent_job_id


class SolveOutcome(StrEnum):
    """How a solve ended."""

    solved = "solved"
    """A submission passed the simrunner and the critic accepted it."""
    refused = "refused"
    """The engineer refused the plan with a proof the critic accepted."""
    unsolved = "unsolved"
    """Submissions or simulations ran out without an accepted solution."""


@event("solve.job.completed")
class SolveJobCompleted(JobCompleted):
    """The end of a solve: outcome, the accepted solution's cost and mass, and the spend."""

    benchmark_id: str
    """The benchmark solved."""
    outcome: SolveOutcome
    """How it ended."""
    solved: bool
    """True when a submission passed the simrunner and was accepted by the critic."""
    plan_id: str
    """The plan the engineer worked from."""
    cost: float | None = None
    """Material cost of the accepted solution (computed by the simrunner)."""
    max_cost: float | None = None
    """The benchmark's budget."""
    mass_kg: float | None = None
    """Mass of the accepted solution (computed by the simrunner)."""
    max_mass_kg: float | None = None
    """The benchmark's mass limit."""
    submissions: int = Field(ge=0)
    """Scored submissions made."""
    sim_calls: int = Field(ge=0)
    """Simulations requested by the engineer and the critic (previews included)."""
    llm_calls: int = Field(ge=0)
    """LLM calls of the whole team."""
    tokens: int = Field(ge=0)
    """Tokens of the whole team."""
    cost_usd: float = Field(ge=0)
    """LLM spend of the whole team."""
    latency_s: float = Field(ge=0)
    """Sum of the team's LLM call wall times."""
    sim_time_s: float = Field(ge=0)
    """Simulated seconds of every simulation of the solve."""
    wall_s: float = Field(ge=0)
    """Wall time from plan to outcome."""
    reasons: tuple[str, ...] = ()
    """Why it is unsolved (the last failures), or the refusal's argument."""
    reward: float | None = Field(default=None, ge=0, le=1)
    """The simrunner's graded reward of the last scored submission (``simrunner.reward``;
    0 when nothing was submitted, None when its simulation gave no verdict)."""
    solution: Solution | None = None
    """The accepted solution."""

    @property
    def simulated_s(self) -> float | None:
        return self.sim_time_s


class SolveFailure(StrEnum):
    """Why a solve produced no outcome at all."""

    team_error = "team_error"
    """An agent's LLM failed (budget, replay divergence, missing decider)."""
    rejected = "rejected"
    """The request can never be solved as sent (a contradictory spec); see the detail."""


@event("solve.job.failed")
class SolveJobFailed(JobFailed):
    """A solve stopped without an outcome."""

    reason: SolveFailure
    """Why."""
    detail: str = Field(max_length=4000)
    """What happened."""

    @property
    def why(self) -> str | None:
        return self.reason
