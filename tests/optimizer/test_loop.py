"""The loop's decisions: reproducible fronts, guards, controls, lost workers, the budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from arena_core.events import Payload
from arena_core.events.optimizer import BudgetExhausted, GuardName, GuardRejected
from arena_core.events.profiles import (
    ProfileEvaluated,
    ProfileStageMoved,
    ProfileVersionCreated,
    PromptSection,
    Stage,
)
from arena_core.profiles import packaged_profile
from optimizer.evaluate import Experiment, Lost, Measured
from optimizer.guards import DailyBudget, guard
from optimizer.loop import Loop, Plan
from tests.optimizer.table import TableEvaluator

PLAN = Plan(
    role="engineer", generations=3, population=4, seed=7,
    targets=tuple(f"hard-{i}" for i in range(8)), controls=("easy-0", "easy-1", "easy-2"),
    reasons=("the goal was reached too late on the worst copy",),
)  # fmt: skip


class Recorded:
    """Collects what the loop emits (the service publishes the same payloads)."""

    def __init__(self) -> None:
        self.events: list[Payload] = []

    async def __call__(self, payload: Payload) -> None:
        self.events.append(payload)

    def of(self, kind: type[Payload]) -> list[Payload]:
        return [e for e in self.events if isinstance(e, kind)]


def _budget(usd: float = 10.0, sim_s: float = 1e9) -> DailyBudget:
    return DailyBudget(max_usd=usd, max_sim_s=sim_s)


async def _run(seed: int, evaluator: object | None = None, budget: DailyBudget | None = None):  # type: ignore[no-untyped-def]
    emitted = Recorded()
    loop = Loop(evaluator or TableEvaluator(), emitted, budget or _budget())  # type: ignore[arg-type]
    plan = Plan(**{**PLAN.__dict__, "seed": seed})
    result = await loop.run(packaged_profile("engineer"), plan)
    return result, emitted


async def test_the_same_seed_and_recording_give_the_same_front() -> None:
    first, _ = await _run(7)
    again, _ = await _run(7)
    other, _ = await _run(8)
    front = [(m.profile_id, m.objectives) for m in first.front]
    assert front and front == [(m.profile_id, m.objectives) for m in again.front]
    assert front != [(m.profile_id, m.objectives) for m in other.front]


async def test_promoted_variants_passed_every_control_and_the_rest_are_archived() -> None:
    result, emitted = await _run(7)
    verdicts = {e.profile_id: e for e in emitted.of(ProfileEvaluated)}  # type: ignore[attr-defined]
    moves = emitted.of(ProfileStageMoved)
    candidates = {m.profile_id for m in moves if m.stage is Stage.candidate}  # type: ignore[attr-defined]
    assert candidates == set(result.promoted)
    for pid in candidates:
        assert verdicts[pid].passed and not verdicts[pid].controls_lost
    created = {e.profile_id for e in emitted.of(ProfileVersionCreated)}  # type: ignore[attr-defined]
    archived = {m.profile_id for m in moves if m.stage is Stage.archived}  # type: ignore[attr-defined]
    assert created == candidates | archived


class LosesControls(TableEvaluator):
    """Every variant (not the start profile) fails the first control."""

    async def evaluate(self, experiment: Experiment) -> Measured:
        measured = await super().evaluate(experiment)
        if experiment.profile_id == packaged_profile("engineer").id:
            return measured
        return Measured(
            tuple(s for s in measured.solves if s.benchmark_id != experiment.controls[0])
        )


async def test_a_variant_that_loses_a_control_is_never_promoted() -> None:
    result, emitted = await _run(7, LosesControls())
    assert result.promoted == []
    assert all(
        e.controls_lost == ("easy-0",)  # type: ignore[attr-defined]
        for e in emitted.of(ProfileEvaluated)[1:]
    )


class WorkersDie(TableEvaluator):
    """Children of variants' batches never answer."""

    async def evaluate(self, experiment: Experiment) -> Measured | Lost:  # type: ignore[override]
        if experiment.profile_id == packaged_profile("engineer").id:
            return await super().evaluate(experiment)
        return Lost(experiment.targets[:2], "no answer")


async def test_a_batch_whose_workers_die_archives_the_variant_and_promotes_nothing() -> None:
    result, emitted = await _run(7, WorkersDie())
    assert result.promoted == [] and result.evaluated == 1
    reasons = [m.reason for m in emitted.of(ProfileStageMoved) if m.stage is Stage.archived]  # type: ignore[attr-defined]
    assert reasons and all("lost 2 solves" in r or r == "not on the front" for r in reasons)


async def test_a_zero_budget_schedules_nothing_and_says_so_once() -> None:
    result, emitted = await _run(7, budget=_budget(usd=0.0))
    assert (result.evaluated, result.stopped) == (0, "budget_exhausted")
    said = emitted.of(BudgetExhausted)
    assert len(said) == 1 and said[0].day == datetime.now(UTC).date().isoformat()  # type: ignore[attr-defined]
    assert not emitted.of(ProfileVersionCreated)


async def test_the_simulation_budget_stops_scheduling_mid_run() -> None:
    result, emitted = await _run(7, budget=_budget(sim_s=1.0))
    assert result.evaluated == 1 and result.stopped == "budget_exhausted"
    assert len(emitted.of(BudgetExhausted)) == 1


def test_guards_name_template_and_sanity_problems() -> None:
    parent = packaged_profile("engineer").template
    broken = guard("engineer", parent + "\n{% if skills %}", parent)
    unknown = guard("engineer", parent + "\n{{ reference_solution }}", parent)
    empty = guard("engineer", " ", parent)
    dropped = guard("engineer", parent.replace("`submit`", "`send`"), parent)
    assert (broken.guard, unknown.guard) == (GuardName.template, GuardName.template)
    assert "reference_solution" in unknown.problems[0]
    assert empty.guard is GuardName.sanity and dropped.guard is GuardName.sanity
    assert "submit" in dropped.problems[-1]
    assert guard("engineer", parent + "\n- Check the worst copy.", parent).passed


async def test_a_variant_failing_a_guard_is_rejected_before_any_experiment() -> None:
    start = packaged_profile("engineer")
    bad = start.model_copy(
        update={"sections": (*start.sections, PromptSection(name="notes", text="{{ nope }}"))}
    )
    emitted = Recorded()
    evaluator = TableEvaluator()
    result = await Loop(evaluator, emitted, _budget()).run(bad, PLAN)
    rejected = emitted.of(GuardRejected)
    assert rejected and all(r.guard is GuardName.template for r in rejected)  # type: ignore[attr-defined]
    assert result.evaluated == 1 and evaluator.solves == len(PLAN.targets) + len(PLAN.controls)


class OnlyTheStartValidates(TableEvaluator):
    """On validation benchmarks only the start profile solves anything."""

    async def evaluate(self, experiment: Experiment) -> Measured:
        measured = await super().evaluate(experiment)
        if not experiment.experiment_id.endswith("/validation"):
            return measured
        start = experiment.profile_id == packaged_profile("engineer").id
        return Measured(tuple(replace(s, solved=start) for s in measured.solves))


async def test_with_validation_only_members_matching_the_start_there_are_promoted() -> None:
    plain, _ = await _run(7)
    assert plain.promoted
    validation = ("valid-0", "valid-1")
    same = Loop(TableEvaluator(), Recorded(), _budget())
    kept = await same.run(packaged_profile("engineer"), replace(PLAN, validation=validation))
    assert kept.promoted == plain.promoted  # easy validation: every contender matches
    emitted = Recorded()
    loop = Loop(OnlyTheStartValidates(), emitted, _budget())
    refused = await loop.run(packaged_profile("engineer"), replace(PLAN, validation=validation))
    assert refused.front and refused.promoted == []
    assert not [m for m in emitted.of(ProfileStageMoved) if m.stage is Stage.candidate]  # type: ignore[attr-defined]


async def test_a_variant_that_loses_a_control_still_breeds() -> None:
    _, emitted = await _run(7, LosesControls())
    created = emitted.of(ProfileVersionCreated)
    first = {e.profile_id for e in created if "-g1." in e.version}  # type: ignore[attr-defined]
    later = [e for e in created if "-g1." not in e.version]  # type: ignore[attr-defined]
    assert first and any(set(e.parent_ids) & first for e in later)  # type: ignore[attr-defined]
