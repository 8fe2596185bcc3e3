"""The ``optimizer`` service: ``optimize.job.requested`` -> the loop -> a front.

It reads the recording (read-only) to observe the start profile's solves, runs every
experiment as a regression batch on the bus, and answers ``optimize.job.completed``
(the front, the profiles promoted to ``candidate``) or ``optimize.job.failed`` (unknown
role or profile, nothing recorded to learn from, budget spent). A bad job never stops
the service; one day's budget is shared by every job the process runs.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any, ClassVar

from arena_core.bus import Delivery
from arena_core.events import Payload
from arena_core.events.optimizer import (
    OptimizeFailure,
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
)
from arena_core.profiles import (
    Profile,
    ProfileError,
    check_role,
    get_profile,
    packaged_profile_event,
    prod_profile,
)
from arena_core.service import Service, handles
from optimizer.batches import BusEvaluator
from optimizer.guards import DailyBudget, Verdict
from optimizer.loop import Loop, Plan
from optimizer.observe import (
    choose,
    failure_reasons,
    load_targets,
    outcomes,
    spent_on,
    success_rate,
)
from optimizer.reflect import DECIDERS, reflect
from optimizer.sanity import model_verdict


class OptimizerService(Service):
    """Evolves agent profiles on regression batches."""

    name: ClassVar[str] = "optimizer"
    default_concurrency: ClassVar[int] = 1

    async def setup(self) -> None:
        from arena_core.db import open_database

        self.engine = open_database(self.settings.database_path)
        self.llm = self.container.llm(deciders=DECIDERS)
        self.budget = DailyBudget(
            self.settings.optimize_max_usd_per_day, self.settings.optimize_max_sim_s_per_day
        )
        today = datetime.now(UTC).date()
        self.budget.charge(today, *spent_on(self.engine, today))

    @handles(OptimizeJobRequested)
    async def on_optimize(self, delivery: Delivery[OptimizeJobRequested]) -> None:
        job = delivery.payload
        try:
            check_role(job.role)
            start = (
                get_profile(self.engine, job.profile_id)
                if job.profile_id
                else prod_profile(self.engine, job.role)
            )
        except ProfileError as exc:
            reason = (
                OptimizeFailure.unknown_role
                if job.profile_id is None
                else OptimizeFailure.unknown_profile
            )
            await delivery.emit(OptimizeJobFailed(reason=reason, detail=str(exc)[:4000]))
            return
        if start.role != job.role:
            await delivery.emit(
                OptimizeJobFailed(
                    reason=OptimizeFailure.unknown_profile,
                    detail=f"{start.id} is a {start.role} profile, not {job.role}",
                )
            )
            return
        seen = outcomes(self.engine, _owners(start))
        rate = success_rate(seen)
        if rate is None:
            await delivery.emit(
                OptimizeJobFailed(
                    reason=OptimizeFailure.no_benchmarks,
                    detail=f"no recorded solve of {start.id} to learn from",
                )
            )
            return
        if rate >= job.success_below:
            await delivery.emit(
                OptimizeJobFailed(
                    reason=OptimizeFailure.nothing_to_improve,
                    detail=f"{start.id} solves {rate:.0%} (asked below {job.success_below:.0%})",
                )
            )
            return
        targets, controls = choose(seen, job.targets, job.controls, random.Random(job.seed))
        found = {t.benchmark_id: t for t in load_targets(self.engine, targets + controls)}
        plan = Plan(
            role=job.role, generations=job.generations, population=job.population,
            seed=job.seed, targets=tuple(t for t in targets if t in found),
            controls=tuple(c for c in controls if c in found),
            reasons=tuple(failure_reasons(seen)), job_id=delivery.envelope.id,
        )  # fmt: skip
        if not plan.targets:
            await delivery.emit(
                OptimizeJobFailed(
                    reason=OptimizeFailure.no_benchmarks,
                    detail="the failed benchmarks are not in the library",
                )
            )
            return

        async def emit(payload: Payload) -> Any:
            return await delivery.emit(payload, agent=self.agent)

        if start.created_at is None:  # a packaged default, recorded the first time it is used
            await emit(packaged_profile_event(start.role))
        evaluator = BusEvaluator(
            self.bus, emit, found, parent_job_id=delivery.envelope.id,
            run_id=delivery.envelope.run_id, timeout_s=job.solve_timeout_s,
        )  # fmt: skip
        llm = self.llm.bind(emit)

        async def proposer(template: str, reasons: list[str]) -> list[str]:
            return await reflect(llm, f"optimizer-{delivery.envelope.id}", template, reasons)

        async def reviewer(pid: str, template: str, parent: str) -> Verdict:
            return await model_verdict(llm, f"sanity-{pid}", template, parent)

        loop = Loop(
            evaluator, emit, self.budget, proposer=proposer,
            reviewer=reviewer if llm.policy_name == "anthropic" else None,
        )  # fmt: skip
        result = await loop.run(start, plan)
        if result.evaluated == 0:
            lost = result.stopped == "workers_lost"
            await emit(
                OptimizeJobFailed(
                    reason=OptimizeFailure.workers_lost
                    if lost
                    else OptimizeFailure.budget_exhausted,
                    detail="the start profile's batch lost solves (workers died or hung)"
                    if lost
                    else "the day's optimizer budget is spent; nothing was scheduled",
                )
            )
            return
        await emit(
            OptimizeJobCompleted(
                role=job.role, generations=result.generations, evaluated=result.evaluated,
                front=result.front_members(), promoted=tuple(result.promoted),
            )
        )  # fmt: skip


def _owners(profile: Profile) -> set[str | None]:
    """Whose solves count as the profile's: its own, and for a packaged default also the
    solves that name no profile (they used the built-in settings)."""
    return {profile.id, None} if profile.description == "packaged" else {profile.id}
