"""The engineering team end to end over a real nats-server, simrunner and sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import pytest_asyncio

from arena_core.db import open_database
from arena_core.db.benchmarks import fold
from arena_core.db.team import plan_items, plan_path
from arena_core.events import Envelope
from arena_core.events.artifacts import ArtifactRef
from arena_core.events.benchmark import BenchmarkCreated, BenchmarkReferenceRecorded
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanCreated,
    PlanRefused,
    ProofKind,
    RefusalProof,
    ReviewIssue,
    SkillWritten,
    SolutionSubmitted,
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveOutcome,
)
from arena_core.events.llm import LlmCallCompleted, LlmCallRequested
from arena_core.events.sim import SimJobCompleted, ViolationKind
from arena_core.prompts.queries import tagged
from arena_core.spec import Box, Constraints, Pose, Solution, SolutionPart
from arena_core.spec.examples import ball_to_goal, ramp_solution
from arena_core.state import SharedState
from engineer.solving import SolveTarget, request_for, resolve, solve
from tests.engineer.conftest import Team
from tests.recorder.recording import settle

pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKER = "reference_marker_part"
"""A part name only the reference solution has."""


def _library_benchmark(team: Team) -> str:
    """Put a ball_to_goal benchmark in the library with a recorded reference solution."""
    spec = ball_to_goal(seed=11)
    ref = ArtifactRef(sha256="0" * 64, size=1, media_type="text/x-python", name="ref.py")
    created = Envelope.new(
        BenchmarkCreated(
            benchmark_id="ball_to_goal-0123456789abcdef", spec=spec, spec_sha256="1" * 64,
            scene_code=ref, mjcf=ref, attempts=1, policy="offline", empty_success_rate=0.0,
        )
    )  # fmt: skip
    reference = ramp_solution().parts[0].model_copy(update={"name": MARKER})
    recorded = Envelope.new(
        BenchmarkReferenceRecorded(
            benchmark_id="ball_to_goal-0123456789abcdef", spec_sha256="1" * 64,
            solution=Solution(parts=(reference,)), code=ref, success_rate=1.0,
            total_cost=1.0, total_mass_kg=0.3,
        )
    )  # fmt: skip
    engine = open_database(team.settings.database_path)
    with engine.begin() as conn:
        fold(conn, 1, created)
        fold(conn, 2, recorded)
    return "ball_to_goal-0123"


async def _solve(team: Team, target: SolveTarget, **limits: Any) -> tuple[SolveJobCompleted, str]:
    run_id = f"run-{target.benchmark_id}-{len(team.events)}-{datetime.now(UTC).timestamp()}"
    done = await solve(team.bus, request_for(target, **limits), run_id=run_id, timeout=600)
    assert isinstance(done, SolveJobCompleted), done
    await asyncio.sleep(0.2)  # let the last events reach the capture
    return done, run_id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def library_solve(team: Team) -> tuple[SolveJobCompleted, str]:
    (target,) = await resolve(team.bus, [_library_benchmark(team)], None)
    return await _solve(team, target)


async def test_the_offline_team_solves_a_library_benchmark_within_every_constraint(
    team: Team, library_solve: tuple[SolveJobCompleted, str]
) -> None:
    done, run_id = library_solve
    assert done.outcome is SolveOutcome.solved and done.solved
    assert done.cost is not None and done.max_cost is not None and done.cost <= done.max_cost
    assert done.mass_kg is not None and done.max_mass_kg is not None
    assert done.mass_kg <= done.max_mass_kg
    official = [
        e.payload
        for e in team.of_run(run_id)
        if isinstance(e.payload, SimJobCompleted) and e.payload.passed
    ]
    assert any(r.scoring.total_cost == pytest.approx(done.cost) for r in official)
    assert done.submissions >= 1 and done.sim_calls > done.submissions and done.tokens > 0


async def test_the_plan_is_persisted_with_every_item_done(
    team: Team, library_solve: tuple[SolveJobCompleted, str]
) -> None:
    _, run_id = library_solve
    (plan,) = [e.payload for e in team.of_run(run_id) if isinstance(e.payload, PlanCreated)]
    engine = open_database(team.settings.database_path)
    await settle(team.bus, engine)
    items = plan_items(engine, plan.plan_id)
    assert {i.status.value for i in items} == {"done"}
    text = plan_path(team.settings.workspace, run_id).read_text()
    assert all(f"[x] **{i.id}**" in text for i in items)


async def test_every_llm_call_names_the_prod_prompt_of_its_role(
    team: Team, library_solve: tuple[SolveJobCompleted, str]
) -> None:
    _, run_id = library_solve
    engine = open_database(team.settings.database_path)
    await settle(team.bus, engine)
    calls = [e.payload for e in team.of_run(run_id) if isinstance(e.payload, LlmCallRequested)]
    assert {c.agent_role for c in calls} == {"planner", "engineer", "critic"}
    for call in calls:
        assert call.prompt == tagged(engine, call.agent_role).ref


async def test_the_reference_solution_never_reaches_the_team(
    team: Team, library_solve: tuple[SolveJobCompleted, str]
) -> None:
    _, run_id = library_solve
    seen = [e for e in team.of_run(run_id)]
    assert len(seen) > 20
    for envelope in seen:
        assert MARKER not in envelope.model_dump_json(), envelope.type


async def test_the_critic_rejects_an_over_budget_design(team: Team) -> None:
    spec = ball_to_goal(seed=3)
    heavy = Solution(
        parts=(
            SolutionPart(
                name="ramp", geometry=Box(half_size=(0.25, 0.1, 0.003)),
                pose=Pose.at(0.15, 0.0, 0.2, euler=(0.0, 0.5, 0.0)), material="plywood",
            ),
        )
    )  # fmt: skip
    strict = spec.model_copy(update={"constraints": Constraints(max_cost=0.5, max_mass=1.0)})
    submission = SolutionSubmitted(
        plan_id="plan-over-budget", solve_key="over-budget", benchmark_id="example:budget",
        spec=strict, stage="final", attempt=1, design_id="dheavy", code="", solution=heavy,
    )  # fmt: skip
    reply = await team.bus.request(Envelope.new(submission), [CriticReviewCreated], timeout=120)
    review: CriticReviewCreated = reply.payload
    assert review.decision == "revise"
    assert ViolationKind.over_cost in {r.violation for r in review.reasons}
    assert reply.causation_id == submission_id(reply)


async def test_the_critic_answers_a_solve_whose_key_is_as_long_as_an_id_may_be(
    team: Team,
) -> None:
    # An optimizer's regression child is keyed "<experiment>/<benchmark>", up to 128
    # characters; the critic's conversation id adds its stage and design to that.
    spec = ball_to_goal(seed=3)
    submission = SolutionSubmitted(
        plan_id="plan-long-key", solve_key="k" * 128, benchmark_id="example:long",
        spec=spec, stage="final", attempt=1, design_id="d" * 40, code="",
        solution=ramp_solution(),
    )  # fmt: skip
    reply = await team.bus.request(Envelope.new(submission), [CriticReviewCreated], timeout=120)
    review: CriticReviewCreated = reply.payload
    assert review.decision in {"accept", "revise"}
    assert reply.causation_id == submission_id(reply)


def submission_id(reply: Envelope[Any]) -> str | None:
    return reply.causation_id


async def test_a_refusal_with_a_valid_proof_is_accepted(team: Team) -> None:
    spec = ball_to_goal(seed=5)
    impossible = spec.model_copy(
        update={"constraints": spec.constraints.model_copy(update={"max_mass": 1e-5})}
    )
    done, run_id = await _solve(team, SolveTarget("example:impossible", impossible))
    assert done.outcome is SolveOutcome.refused and not done.solved
    (review,) = [
        e.payload for e in team.of_run(run_id) if isinstance(e.payload, CriticReviewCreated)
    ]
    assert (review.subject, review.decision) == ("refusal", "accept")


async def test_a_contradictory_spec_is_rejected_with_its_reason(team: Team) -> None:
    spec = ball_to_goal(seed=7)
    inside = spec.model_copy(
        update={"dynamic_objects": (spec.dynamic_objects[0].model_copy(
            update={"pose": Pose.at(0.1, 0.0, 0.2)}),)}
    )  # fmt: skip
    done = await solve(team.bus, request_for(SolveTarget("example:contradiction", inside)))
    assert isinstance(done, SolveJobFailed) and done.reason is SolveFailure.rejected
    assert "payload_in_build_zone" in done.detail


async def test_a_refusal_with_an_invalid_proof_is_rejected(team: Team) -> None:
    spec = ball_to_goal(seed=6)
    bogus = RefusalProof(
        kind=ProofKind.mass_lower_bound, bound=2.0, limit=1.0, material="plywood",
        min_part_size_m=(0.1, 0.1, 0.1), argument="any ramp weighs at least 2 kg",
    )  # fmt: skip
    refusal = PlanRefused(
        plan_id="plan-bogus", solve_key="bogus", benchmark_id="example:bogus", spec=spec,
        proof=bogus,
    )  # fmt: skip
    reply = await team.bus.request(Envelope.new(refusal), [CriticReviewCreated], timeout=120)
    review: CriticReviewCreated = reply.payload
    assert review.decision == "revise"
    assert {r.issue for r in review.reasons} == {ReviewIssue.invalid_proof}
    assert any("a legal design may exist" in r.message for r in review.reasons)


async def test_a_skill_is_written_after_k_failures_and_offered_to_the_next_solve(
    team: Team,
) -> None:
    # A tight budget: most ramps the search tries cost too much, so it fails before it succeeds.
    spec = ball_to_goal(seed=2)
    narrow = spec.model_copy(
        update={
            "family": "tight_budget",
            "constraints": spec.constraints.model_copy(update={"max_cost": 0.45}),
        }
    )
    done, run_id = await _solve(team, SolveTarget("example:tight", narrow))
    assert done.solved
    (written,) = [e.payload for e in team.of_run(run_id) if isinstance(e.payload, SkillWritten)]
    assert written.failures_before >= 3
    await settle(team.bus, open_database(team.settings.database_path))
    assert (team.settings.workspace / written.path).is_file()
    await shared_skill(team, written.skill_id)

    again, rerun = await _solve(team, SolveTarget("example:tight-again", narrow))
    reads = [
        e.payload
        for e in team.of_run(rerun)
        if e.type == "agent.tool.completed" and e.payload.tool_name == "read_skills"
    ]
    assert written.content.title in reads[0].result
    systems = [
        e.payload.system
        for e in team.of_run(rerun)
        if isinstance(e.payload, LlmCallRequested) and e.payload.agent_role == "engineer"
    ]
    assert systems and all(written.content.title in s for s in systems)
    assert again.solved


async def shared_skill(team: Team, skill_id: str, within_s: float = 30.0) -> None:
    """Wait until the recorder has shared the skill with every node."""
    state = SharedState(team.bus)
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while skill_id not in {s.id for s in await state.all_skills("engineer")}:
        assert loop.time() < end, f"skill {skill_id} never reached the key-value state"
        await asyncio.sleep(0.1)


async def test_four_solves_run_in_parallel_in_their_own_workspaces(team: Team) -> None:
    targets = [SolveTarget(f"example:parallel:{s}", ball_to_goal(seed=s)) for s in (21, 22, 23, 24)]
    outcomes = await asyncio.gather(*(_solve(team, t) for t in targets))
    assert all(done.solved for done, _ in outcomes)
    plans = {plan_path(team.settings.workspace, run_id) for _, run_id in outcomes}
    assert len(plans) == 4 and all(p.is_file() for p in plans)
    for done, run_id in outcomes:
        completed = [e for e in team.of_run(run_id) if isinstance(e.payload, LlmCallCompleted)]
        assert completed and all(e.run_id == run_id for e in completed)
        assert orjson.loads(done.model_dump_json())["benchmark_id"].startswith("example:parallel")


async def test_the_critic_reviews_a_preview_with_simulations_flagged_preview(team: Team) -> None:
    preview = SolutionSubmitted(
        plan_id="plan-preview", solve_key="preview", benchmark_id="example:preview",
        spec=ball_to_goal(seed=9), stage="preview", attempt=0, design_id="dramp",
        code="", solution=ramp_solution(),
    )  # fmt: skip
    envelope = Envelope.new(preview)
    reply = await team.bus.request(envelope, [CriticReviewCreated], timeout=120)
    await asyncio.sleep(0.2)
    review: CriticReviewCreated = reply.payload
    assert (review.stage, review.decision) == ("preview", "accept")
    sims = [
        e.payload
        for e in team.of_run(envelope.run_id)
        if e.type == "sim.job.requested" and e.causation_id == envelope.id
    ]
    assert len(sims) == 2 and all(s.preview for s in sims)
