"""The planner and the critic run on their role's approved profile when its difficulty
range holds the benchmark's, and on the role's ``prod`` prompt otherwise (real
nats-server, recorder and shared state)."""

from __future__ import annotations

from arena_core.events import Envelope
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanCreated,
    PlanRefused,
    ProofKind,
    RefusalProof,
    SolveJobRequested,
)
from arena_core.events.profiles import DifficultyRange
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import services_in_process
from tests.support.profiles import approve


async def test_planner_and_critic_run_on_the_profile_whose_range_holds_the_benchmark(
    settings: Settings,
) -> None:
    async with services_in_process(settings, ("planner", "critic")) as bus:
        planner = await approve(bus, "planner", DifficultyRange(low=1, high=2))
        critic = await approve(bus, "critic", DifficultyRange(low=1, high=5))
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
