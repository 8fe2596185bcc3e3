"""The planner and the critic run on their role's approved profile when its difficulty
range holds the benchmark's, and on the role's ``prod`` prompt otherwise (real
nats-server, recorder and shared state)."""

from __future__ import annotations

import asyncio

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanCreated,
    PlanRefused,
    ProofKind,
    RefusalProof,
    SolveJobRequested,
)
from arena_core.events.profiles import (
    DifficultyRange,
    Objectives,
    ProfileApproved,
    ProfileEvaluated,
    PromptSection,
)
from arena_core.profiles import new_profile, packaged_profile, packaged_profile_event
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import services_in_process
from arena_core.state import SharedState

SCORE = Objectives(success=1.0, cost_usd=0.0, tokens=100.0, latency_s=1.0, simulations=9.0)


async def _approve(bus: Bus, role: str, difficulty: DifficultyRange) -> str:
    base = packaged_profile(role)
    sections = (*base.sections, PromptSection(name="house", text="Cite every finding by name."))
    created = new_profile(
        role, "1.1.0", sections, difficulty=difficulty, parent_ids=(base.id,)
    )  # fmt: skip
    verdict = ProfileEvaluated(
        profile_id=created.profile_id, experiment_id="by-hand", objectives=SCORE, targets=1,
        targets_solved=1, controls=0, passed=True,
    )  # fmt: skip
    approval = ProfileApproved(profile_id=created.profile_id, role=role, approver="ada")
    for payload in (packaged_profile_event(role), created, verdict, approval):
        await bus.publish(Envelope.new(payload))
    state = SharedState(bus)
    for _ in range(100):
        shared = await state.prod_profile(role)
        if shared is not None and shared.id == created.profile_id:
            return created.profile_id
        await asyncio.sleep(0.1)
    raise AssertionError(f"the {role} profile never reached shared state")


async def test_planner_and_critic_run_on_the_profile_whose_range_holds_the_benchmark(
    settings: Settings,
) -> None:
    async with services_in_process(settings, ("planner", "critic")) as bus:
        planner = await _approve(bus, "planner", DifficultyRange(low=1, high=2))
        critic = await _approve(bus, "critic", DifficultyRange(low=1, high=5))
        easy = ball_to_goal(seed=4)
        hard = easy.model_copy(update={"difficulty": 4})
        plans = []
        for key, spec in (("easy", easy), ("hard", hard)):
            request = SolveJobRequested(benchmark_id=f"example:{key}", spec=spec, key=key)
            reply = await bus.request(Envelope.new(request), [PlanCreated], timeout=60)
            plans.append(reply.payload)
        bogus = RefusalProof(
            kind=ProofKind.mass_lower_bound, bound=2.0, limit=1.0, material="plywood",
            min_part_size_m=(0.1, 0.1, 0.1), argument="any ramp weighs at least 2 kg",
        )  # fmt: skip
        refusal = PlanRefused(
            plan_id="plan-x", solve_key="x", benchmark_id="example:x", spec=hard, proof=bogus
        )
        answer = await bus.request(Envelope.new(refusal), [CriticReviewCreated], timeout=60)
        review = answer.payload
    assert plans[0].prompt is not None and plans[0].prompt.id == planner
    # Difficulty 4 is outside the planner profile's range: the role's prod prompt plans it.
    assert plans[1].prompt is not None and plans[1].prompt.id != planner
    assert plans[1].prompt.role == "planner"
    assert review.prompt is not None and review.prompt.id == critic
    assert review.decision == "revise"
