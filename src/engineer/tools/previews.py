"""``simulate_preview``: free simulations of designs (not scored), with what went wrong."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from arena_core.bus import RequestFailed
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.llm import ToolError
from arena_core.spec import BenchmarkSpec, ReachZone
from engineer.session import Built, EngineerSession
from engineer.stress import sim_seconds, stress_spec
from engineer.tools.base import Args, as_json

MAX_DESIGNS = 8
"""Designs one ``simulate_preview`` call may simulate."""


class PreviewArgs(Args):
    design_ids: list[str] = Field(
        min_length=1, max_length=MAX_DESIGNS, description="Designs to simulate."
    )
    stress: bool = Field(
        default=False, description="Simulate twice as many jittered copies to test robustness."
    )


class PreviewReport(BaseModel):
    design_id: str
    passed: bool
    success_rate: float
    failures: list[str] = []
    violations: list[str] = []
    cost: float
    mass_kg: float
    worst_time_to_goal_s: float | None = None
    distance_to_goal_m: float | None = None
    """Mean distance of the payload's final position from the goal zone (reach goals)."""


async def simulate_preview(session: EngineerSession, args: PreviewArgs) -> str:
    limit = min(session.request.max_sim_calls, session.request.settings.max_tool_calls)
    left = limit - session.sim_calls
    if left < len(args.design_ids):
        raise ToolError(f"only {max(left, 0)} simulations left of {limit}")
    builts = [session.design(d) for d in args.design_ids]
    spec = stress_spec(session.spec) if args.stress else session.spec
    results = await asyncio.gather(*(_simulate(session, b, spec) for b in builts))
    reports = []
    for did, result in zip(args.design_ids, results, strict=True):
        report = preview_report(did, spec, result)
        if not report.passed:
            session.failures += 1
        reports.append(report.model_dump(mode="json"))
    return as_json(reports)


async def _simulate(
    session: EngineerSession, built: Built, spec: BenchmarkSpec
) -> SimJobCompleted | SimJobFailed:
    request = SimJobRequested(
        spec=spec,
        solution=built.solution,
        meshes=(*session.request.meshes, *built.meshes),
        preview=True,
    )
    session.sim_calls += 1
    session.spent_sim(sim_seconds(spec))
    envelope = session.delivery.follow(request)
    try:
        reply = await session.bus.request(
            envelope, [SimJobCompleted, SimJobFailed], timeout=session.request_timeout_s
        )
    except RequestFailed as exc:
        raise ToolError(f"the simulator refused the design: {exc.reply.payload}") from None
    return reply.payload  # type: ignore[no-any-return]


def preview_report(
    did: str, spec: BenchmarkSpec, result: SimJobCompleted | SimJobFailed
) -> PreviewReport:
    """What the engineer learns from one simulation."""
    if isinstance(result, SimJobFailed):
        return PreviewReport(
            design_id=did,
            passed=False,
            success_rate=0.0,
            failures=[f"{result.reason.value}: {result.detail[:300]}"],
            cost=0.0,
            mass_kg=0.0,
        )
    copies = result.metrics.copies
    times = [c.time_to_goal_s for c in copies if c.time_to_goal_s is not None]
    distance = None
    if isinstance(spec.goal, ReachZone) and spec.payload is not None:
        zone = spec.goal.zone
        ends = [p.pos for c in copies for p in c.final_poses if p.name == spec.payload.label]
        if ends:
            distance = round(sum(zone.distance_to(e) for e in ends) / len(ends), 5)
    seen: dict[str, None] = {}
    for f in result.failures:
        seen.setdefault(f"{f.kind.value}: {f.message[:200]}", None)
    return PreviewReport(
        design_id=did,
        passed=result.passed,
        success_rate=round(result.metrics.success_rate, 6),
        failures=list(seen)[:8],
        violations=[f"{v.kind.value}: {v.message}" for v in result.scoring.violations],
        cost=round(result.scoring.total_cost, 6),
        mass_kg=round(result.scoring.total_mass_kg, 6),
        worst_time_to_goal_s=max(times) if times and len(times) == len(copies) else None,
        distance_to_goal_m=distance,
    )
