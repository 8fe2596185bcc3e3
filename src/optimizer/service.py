"""The ``optimizer`` service: ``optimize.job.requested`` -> the loop -> a front.

It asks the recording over NATS (``arena_core.query``: profiles, the start profile's
solves, benchmark specs, the day's spending), so it runs on any node; it runs every
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
from arena_core.profiles import Profile, ProfileError, check_role, packaged_profile_event
from arena_core.query import QueryRefused, QueryUnanswered
from arena_core.service import Service, handles
from optimizer.batches import BusEvaluator
from optimizer.guards import DailyBudget, Verdict
from optimizer.loop import Loop, Plan
from optimizer.observe import (
    choose,
    failure_reasons,
    held_out,
    load_targets,
    outcomes,
    spent_on,
    start_profile,
    success_rate,
)
from optimizer.reflect import DECIDERS, reflect
from optimizer.sanity import model_verdict


class OptimizerService(Service):
    """Evolves agent profiles on regression batches."""

    name: ClassVar[str] = "optimizer"
    default_concurrency: ClassVar[int] = 1

    async def setup(self) -> None:
        self.llm = self.container.llm(deciders=DECIDERS)
        self.budget = DailyBudget(
            self.settings.optimize_max_usd_per_day, self.settings.optimize_max_sim_s_per_day
        )
        self._charged = False

    async def _charge_recorded_spending(self) -> None:
        """Start the day's budget from what the recording says was spent (once)."""
        if not self._charged:
            today = datetime.now(UTC).date()
            self.budget.charge(today, *await spent_on(self.bus, today))
            self._charged = True

    @handles(OptimizeJobRequested)
    async def on_optimize(self, delivery: Delivery[OptimizeJobRequested]) -> None:
        try:
            await self._optimize(delivery)
        except QueryUnanswered as exc:  # no recorder answers: nothing to observe
            await delivery.emit(
                OptimizeJobFailed(reason=OptimizeFailure.recording_unreachable, detail=str(exc))
            )

    async def _optimize(self, delivery: Delivery[OptimizeJobRequested]) -> None:
        job = delivery.payload
        try:
            check_role(job.role)
            await self._charge_recorded_spending()
            start = (await start_profile(self.bus, job.role, job.profile_id)).profile
        except (ProfileError, QueryRefused) as exc:
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
        seen = await outcomes(self.bus, _owners(start))
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
        rng = random.Random(job.seed)
        targets, controls = choose(seen, job.targets, job.controls, rng)
        validation = held_out(seen, targets + controls, job.validation, rng)
        chosen = targets + controls + validation
        found = {t.benchmark_id: t for t in await load_targets(self.bus, chosen)}
        plan = Plan(
            role=job.role, generations=job.generations, population=job.population,
            seed=job.seed, targets=tuple(t for t in targets if t in found),
            controls=tuple(c for c in controls if c in found),
            validation=tuple(v for v in validation if v in found),
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
