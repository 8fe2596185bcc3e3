"""One engineer's work on one plan: what the tools share (designs, counters, outcome)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena_core.bus import Bus, Delivery
from arena_core.cad import CadPart, CadResult
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanItem,
    RefusalProof,
    SolveJobRequested,
    TeamTotals,
)
from arena_core.events.sim import MeshBlob
from arena_core.llm import RunBudget, ToolError
from arena_core.sandbox import Sandbox
from arena_core.spec import BenchmarkSpec, Solution
from arena_core.state import SharedState


@dataclass
class Built:
    """A design ``run_cad`` accepted: its code, CAD result, solution and meshes."""

    code: str
    result: CadResult
    solution: Solution
    meshes: tuple[MeshBlob, ...]


@dataclass
class EngineerSession:
    """The state of one solve: the tools in ``engineer.tools`` read and change it."""

    bus: Bus
    delivery: Delivery[Any]
    state: SharedState
    workspace: Path
    sandbox: Sandbox
    request: SolveJobRequested
    plan_id: str
    run_id: str
    items: tuple[PlanItem, ...] = ()
    """The plan's TODO items with their current statuses."""
    designs: dict[str, Built] = field(default_factory=dict)
    latest: Built | None = None
    submissions: int = 0
    scored_reward: float | None = 0.0
    """The graded reward of the last scored submission (0 before any; None: no verdict)."""
    sim_calls: int = 0
    sim_time_s: float = 0.0
    failures: int = 0
    accepted: CriticReviewCreated | None = None
    accepted_refusal: RefusalProof | None = None
    last_reasons: list[str] = field(default_factory=list)
    review_totals: list[TeamTotals] = field(default_factory=list)
    last_review_id: str = ""
    skills_written: int = 0
    budget: RunBudget | None = None
    """The engineer's run budget, so simulated time shows in ``run.totals.updated``."""
    request_timeout_s: float = 300.0
    """How long a simulation or review request may take."""

    @property
    def spec(self) -> BenchmarkSpec:
        return self.request.spec

    @property
    def finished(self) -> bool:
        return self.accepted is not None or self.accepted_refusal is not None

    def latest_parts(self) -> list[CadPart]:
        """Parts of the latest CAD run that was accepted (what the workbench tools inspect)."""
        return list(self.latest.result.parts) if self.latest else []

    def design(self, design_id: str) -> Built:
        built = self.designs.get(design_id)
        if built is None:
            raise ToolError(
                f"no design {design_id!r}: run_cad it first (known: {sorted(self.designs)})"
            )
        return built

    def spent_sim(self, seconds: float) -> None:
        self.sim_time_s += seconds
        if self.budget is not None:
            self.budget.record_sim_time(seconds)
