"""The loop: observe -> propose -> guard -> experiment -> evaluate -> select -> promote.

``Loop.run`` decides; it emits events through ``emit`` and measures through an
``Evaluator``, so the same code runs over the bus (the service) and in process (the
harness). Generation g draws every random choice from ``Random(f"{seed}/{g}")``: the
same seed, the same recording and a deterministic evaluator give the same front.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from arena_core.events import Payload
from arena_core.events.optimizer import BudgetExhausted, FrontMember, GuardRejected
from arena_core.events.profiles import (
    Objectives,
    ProfileEvaluated,
    ProfileStageMoved,
    Stage,
)
from arena_core.profiles import Profile, bump, genome_key, join_sections, new_profile, profile_id
from optimizer.evaluate import Evaluator, Experiment, Lost, Measured
from optimizer.genome import Genome
from optimizer.guards import DailyBudget, Verdict, guard
from optimizer.library import mine
from optimizer.operators import propose
from optimizer.select import Scored, front, select

Emit = Callable[[Payload], Awaitable[None]]
Propose = Callable[[str, list[str]], Awaitable[list[str]]]
"""(template, failure reasons) -> instructions to add, most relevant first."""
Review = Callable[[str, str, str], Awaitable[Verdict]]
"""(variant id, template, parent template) -> a second sanity verdict (a model's)."""


@dataclass(frozen=True)
class Plan:
    """What one optimize job does."""

    role: str
    generations: int
    population: int
    seed: int
    targets: tuple[str, ...]
    controls: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    """Recorded failure reasons of the start profile (the instruction library's input)."""
    validation: tuple[str, ...] = ()
    """Benchmarks outside the batch that decide promotion (none: the batch decides)."""
    job_id: str = "optimize"


@dataclass(frozen=True)
class Member:
    profile_id: str
    genome: Genome
    parent_ids: tuple[str, ...]
    objectives: Objectives
    passed: bool
    measured: bool = True
    """False when the batch lost children: nothing was measured."""
    failures: tuple[str, ...] = ()
    """Why its batch's unsolved benchmarks failed (its children's settings moves)."""
    version: str = "1.0.0"


@dataclass
class Result:
    """The loop's outcome."""

    front: list[Member] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    evaluated: int = 0
    generations: int = 0
    stopped: str | None = None
    """Why scheduling stopped early (``budget_exhausted``), if it did."""

    def front_members(self) -> tuple[FrontMember, ...]:
        return tuple(
            FrontMember(
                profile_id=m.profile_id,
                parent_ids=m.parent_ids,
                objectives=m.objectives,
                promoted=m.profile_id in self.promoted,
            )
            for m in self.front
        )


class Loop:
    """One optimize job's decisions."""

    def __init__(
        self,
        evaluator: Evaluator,
        emit: Emit,
        budget: DailyBudget,
        today: Callable[[], datetime] = lambda: datetime.now(UTC),
        proposer: Propose | None = None,
        reviewer: Review | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.proposer = proposer
        self.reviewer = reviewer
        self.emit = emit
        self.budget = budget
        self.today = today
        self._exhausted_said: set[str] = set()
        self._tried: list[str] = []

    async def run(self, start: Profile, plan: Plan) -> Result:
        result = Result()
        base = Genome(start.sections, start.settings, start.difficulty)
        reasons = list(plan.reasons)
        instructions = (
            await self.proposer(start.template, reasons) if self.proposer else mine(reasons)
        )
        baseline = await self._experiment(
            start.id, base, (), plan, 0, start.template, start.version
        )
        if baseline is None or not baseline.measured:
            result.stopped = "budget_exhausted" if baseline is None else "workers_lost"
            return result
        result.evaluated += 1
        pool = [baseline]
        passed = [baseline]  # every measured member that kept its controls: the front's
        for g in range(1, plan.generations + 1):
            rng = random.Random(f"{plan.seed}/{g}")
            parents = pool
            offspring: list[Member] = []
            for i in range(plan.population):
                parent = rng.choice(parents)
                mate = rng.choice(parents) if len(parents) > 1 and rng.random() < 0.3 else None
                variant = propose(
                    parent.genome, rng, instructions, mate.genome if mate else None,
                    parent.failures,
                )  # fmt: skip
                parent_ids = (parent.profile_id,) + ((mate.profile_id,) if mate else ())
                member = await self._variant(
                    start, variant.genome, parent_ids, variant.operators, plan, g, i,
                    join_sections(parent.genome.sections),
                )  # fmt: skip
                if member is _STOP:
                    result.stopped = "budget_exhausted"
                    break
                if isinstance(member, Member) and member.measured:
                    offspring.append(member)
                    result.evaluated += 1
            # A variant that lost a control is never promoted, but it still breeds: its
            # children may keep the controls and the targets it won.
            passed += [m for m in offspring if m.passed]
            scored_pool = pool + offspring
            keep = set(
                select([Scored(m.profile_id, m.objectives) for m in scored_pool], plan.population)
            )
            pool = [m for m in scored_pool if m.profile_id in keep or m is baseline]
            result.generations = g
            if result.stopped:
                break
        await self._finish(baseline, passed, plan, result)
        return result

    async def _variant(
        self,
        start: Profile,
        genome: Genome,
        parent_ids: tuple[str, ...],
        operators: tuple[str, ...],
        plan: Plan,
        generation: int,
        index: int,
        parent_template: str,
    ) -> Member | object | None:
        template = join_sections(genome.sections)
        key = genome_key(genome.sections, genome.settings, genome.difficulty)
        version = f"{bump(start.version)}-g{generation}.{key[:8]}"
        pid = profile_id(plan.role, version, key)
        verdict = guard(plan.role, template, parent_template)
        if verdict.passed and self.reviewer is not None:
            verdict = await self.reviewer(pid, template, parent_template)
        if not verdict.passed:
            assert verdict.guard is not None
            await self.emit(
                GuardRejected(profile_id=pid, guard=verdict.guard, problems=verdict.problems[:32])
            )
            return None
        event = new_profile(
            plan.role, version, genome.sections, settings=genome.settings,
            difficulty=genome.difficulty, parent_ids=parent_ids,
            description=f"generation {generation} of {plan.job_id}: {' + '.join(operators)}",
        )  # fmt: skip
        await self.emit(event)
        self._tried.append(event.profile_id)
        member = await self._experiment(
            event.profile_id, genome, parent_ids, plan, generation, template, version
        )
        return _STOP if member is None else member

    async def _experiment(
        self,
        pid: str,
        genome: Genome,
        parent_ids: tuple[str, ...],
        plan: Plan,
        generation: int,
        template: str,
        version: str,
    ) -> Member | None:
        day = self.today().date()
        if not self.budget.left(day):
            if day.isoformat() not in self._exhausted_said:
                self._exhausted_said.add(day.isoformat())
                usd, sim = self.budget.totals(day)
                await self.emit(
                    BudgetExhausted(
                        day=day.isoformat(), spent_usd=usd, spent_sim_s=sim,
                        max_usd=self.budget.max_usd, max_sim_s=self.budget.max_sim_s,
                    )
                )  # fmt: skip
            return None
        if generation > 0:
            await self.emit(
                ProfileStageMoved(
                    profile_id=pid, stage=Stage.experimental, reason="regression batch"
                )
            )
        experiment = Experiment(
            experiment_id=f"{plan.job_id}/{pid}", profile_id=pid, template=template,
            settings=genome.settings, targets=plan.targets, controls=plan.controls, seed=plan.seed,
            role=plan.role, version=version,
        )  # fmt: skip
        outcome = await self.evaluator.evaluate(experiment)
        if isinstance(outcome, Lost):
            await self.emit(
                ProfileStageMoved(
                    profile_id=pid, stage=Stage.archived,
                    reason=f"lost {len(outcome.missing)} solves: {outcome.detail}"[:2000],
                )
            )  # fmt: skip
            return Member(pid, genome, parent_ids, _NOTHING, passed=False, measured=False)
        self.budget.charge(day, outcome.cost_usd, outcome.sim_time_s)
        return await self._verdict(pid, genome, parent_ids, plan, experiment, outcome)

    async def _verdict(
        self,
        pid: str,
        genome: Genome,
        parent_ids: tuple[str, ...],
        plan: Plan,
        experiment: Experiment,
        outcome: Measured,
    ) -> Member:
        solved = outcome.solved
        lost = tuple(c for c in plan.controls if c not in solved)
        objectives = outcome.objectives
        await self.emit(
            ProfileEvaluated(
                profile_id=pid, experiment_id=experiment.experiment_id, objectives=objectives,
                targets=len(plan.targets), targets_solved=sum(t in solved for t in plan.targets),
                controls=len(plan.controls), controls_lost=lost, passed=not lost,
            )
        )  # fmt: skip
        failures = tuple(r for s in outcome.solves if not s.solved for r in s.reasons)
        return Member(
            pid, genome, parent_ids, objectives, passed=not lost, failures=failures,
            version=experiment.version,
        )  # fmt: skip

    async def _finish(
        self, baseline: Member, pool: list[Member], plan: Plan, result: Result
    ) -> None:
        """The front of ``pool`` (every member that kept its controls), its promotions,
        and the archiving of every other variant tried."""
        unique: dict[str, Member] = {}
        for m in pool:
            unique.setdefault(m.profile_id, m)
        pool = list(unique.values())
        ids = front([Scored(m.profile_id, m.objectives) for m in pool])
        result.front = [m for m in pool if m.profile_id in ids]
        contenders = [
            m for m in result.front
            if m is not baseline and m.passed
            and m.objectives.success >= baseline.objectives.success
        ]  # fmt: skip
        validated = await self._validate(baseline, contenders, plan)
        for m in contenders:
            if m.profile_id in validated:
                result.promoted.append(m.profile_id)
                await self.emit(
                    ProfileStageMoved(
                        profile_id=m.profile_id, stage=Stage.candidate,
                        reason=f"on the Pareto front{validated[m.profile_id]}",
                    )
                )  # fmt: skip
        for pid in dict.fromkeys(self._tried):
            if pid in result.promoted:
                continue
            await self.emit(
                ProfileStageMoved(profile_id=pid, stage=Stage.archived, reason="not on the front")
            )

    async def _validate(
        self, baseline: Member, contenders: list[Member], plan: Plan
    ) -> dict[str, str]:
        """Contenders that solve at least the start profile's share of the validation
        benchmarks (all of them when the plan has none), each with a note for its stage
        move. A validation batch that loses solves promotes nobody."""
        if not plan.validation or not contenders:
            return {m.profile_id: "" for m in contenders}
        shares: dict[str, float] = {}
        for m in (baseline, *contenders):
            outcome = await self.evaluator.evaluate(
                Experiment(
                    experiment_id=f"{plan.job_id}/{m.profile_id}/validation",
                    profile_id=m.profile_id, template=join_sections(m.genome.sections),
                    settings=m.genome.settings, targets=plan.validation, controls=(),
                    seed=plan.seed, role=plan.role, version=m.version,
                )
            )  # fmt: skip
            if isinstance(outcome, Lost):
                return {}
            shares[m.profile_id] = outcome.objectives.success
        floor = shares[baseline.profile_id]
        return {
            m.profile_id: f"; validation {shares[m.profile_id]:.2f} (start {floor:.2f})"
            for m in contenders
            if shares[m.profile_id] >= floor
        }


_STOP = object()
_NOTHING = Objectives(success=0.0, cost_usd=0.0, tokens=0.0, latency_s=0.0, simulations=0.0)

__all__ = ["Emit", "Loop", "Member", "Plan", "Result"]
