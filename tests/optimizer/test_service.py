"""The optimizer service on a real nats-server: bad jobs are answered with typed
failures and the service keeps working (also when a batch's workers are gone); approval
through the CLI moves ``prod``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.events import Envelope
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested, SolveOutcome
from arena_core.events.optimizer import (
    OptimizeFailure,
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
    RegressionJobFailed,
)
from arena_core.events.profiles import Objectives, ProfileEvaluated, TeamSettings
from arena_core.profiles import (
    list_profiles,
    new_profile,
    packaged_profile,
    packaged_profile_event,
    prod_profile,
)
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.state import SharedState
from optimizer.service import OptimizerService
from tests.recorder.recording import settle

BENCHMARK = "example:ball_to_goal:0"
SCORE = Objectives(success=0.7, cost_usd=0.0, tokens=100.0, latency_s=1.0, simulations=9.0)


async def _ask(bus: Bus, job: OptimizeJobRequested) -> OptimizeJobFailed | OptimizeJobCompleted:
    reply = await bus.request(
        Envelope.new(job), [OptimizeJobCompleted, OptimizeJobFailed], timeout=30
    )
    return reply.payload  # type: ignore[no-any-return]


async def test_bad_jobs_get_typed_failures_and_the_service_keeps_running(
    bus: Bus,
    settings: Settings,
    engine: Engine,
    recorder: RecorderService,
) -> None:
    async with OptimizerService(bus, settings).running():
        role = await _ask(bus, OptimizeJobRequested(role="astronaut"))
        profile = await _ask(bus, OptimizeJobRequested(profile_id="engineer-9.9.9-deadbeef"))
        empty = await _ask(bus, OptimizeJobRequested())
    assert isinstance(role, OptimizeJobFailed) and role.reason is OptimizeFailure.unknown_role
    assert isinstance(profile, OptimizeJobFailed)
    assert profile.reason is OptimizeFailure.unknown_profile and "deadbeef" in profile.detail
    assert isinstance(empty, OptimizeJobFailed) and empty.reason is OptimizeFailure.no_benchmarks


@pytest.fixture
def cli(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARENA_NATS_URL", str(settings.nats_url))
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    build_app()
    return CliRunner()


async def test_approval_is_refused_for_an_unproven_draft_and_moves_prod_for_a_proven_one(
    bus: Bus,
    engine: Engine,
    recorder: RecorderService,
    cli: CliRunner,
) -> None:
    base = packaged_profile("engineer")
    draft = new_profile("engineer", "1.1.0-a", base.sections, settings=TeamSettings(population=3))
    proven = new_profile("engineer", "1.1.0-b", base.sections, settings=TeamSettings(population=9))
    for payload in (packaged_profile_event("engineer"), draft, proven):
        await bus.publish(Envelope.new(payload))
    await bus.publish(
        Envelope.new(
            ProfileEvaluated(
                profile_id=proven.profile_id, experiment_id="x", objectives=SCORE, targets=3,
                targets_solved=2, controls=1, passed=True,
            )
        )
    )  # fmt: skip
    await settle(bus, engine)

    def approve(pid: str) -> tuple[int, str]:
        result = cli.invoke(app, ["prompts", "approve", pid, "--by", "ada"])
        return result.exit_code, result.output

    refused = await asyncio.to_thread(approve, draft.profile_id)
    unknown = await asyncio.to_thread(approve, "engineer-9.9.9-deadbeef")
    assert refused[0] == 1 and "never passed a regression batch" in refused[1], refused
    assert unknown[0] == 2 and "no profile" in unknown[1]
    assert prod_profile(engine, "engineer").id == base.id
    done = await asyncio.to_thread(approve, proven.profile_id)
    assert done[0] == 0 and "is now the engineer prod profile" in done[1], done[1]
    assert prod_profile(engine, "engineer").id == proven.profile_id
    # Every node sees it: the recorder mirrors prod into the shared-state bucket.
    state = SharedState(bus)
    for _ in range(100):
        shared = await state.prod_profile("engineer")
        if shared is not None and shared.id == proven.profile_id:
            break
        await asyncio.sleep(0.1)
    assert shared is not None and shared.id == proven.profile_id
    assert shared.settings.population == 9 and shared.template == base.template


async def test_a_batch_whose_workers_are_gone_fails_the_job_and_promotes_nothing(
    bus: Bus,
    settings: Settings,
    engine: Engine,
    recorder: RecorderService,
) -> None:
    seen = Envelope.new(SolveJobRequested(benchmark_id=BENCHMARK, spec=ball_to_goal(0), key="seen"))
    done = SolveJobCompleted(
        benchmark_id=BENCHMARK, outcome=SolveOutcome.unsolved, solved=False, plan_id="p",
        submissions=3, sim_calls=120, llm_calls=40, tokens=9_000, cost_usd=0.0, latency_s=1.0,
        sim_time_s=90.0, wall_s=30.0, reasons=("the goal was reached too late",),
    )  # fmt: skip
    for envelope in (Envelope.new(packaged_profile_event("engineer")), seen, seen.follow(done)):
        await bus.publish(envelope)
    await settle(bus, engine)
    failures: list[bytes] = []

    async def keep(msg) -> None:  # type: ignore[no-untyped-def]
        failures.append(msg.data)

    await bus.nc.subscribe(f"arena.{RegressionJobFailed.EVENT_TYPE}", cb=keep)
    # No team runs: every child of the baseline's regression batch goes unanswered.
    async with OptimizerService(bus, settings).running():
        lost = await _ask(
            bus,
            OptimizeJobRequested(generations=1, population=2, controls=0, solve_timeout_s=1.0),
        )
        after = await _ask(bus, OptimizeJobRequested(role="astronaut"))
    await settle(bus, engine)
    assert isinstance(lost, OptimizeJobFailed) and lost.reason is OptimizeFailure.workers_lost
    assert failures and BENCHMARK.encode() in failures[0]
    stages = {p.stage.value for p in list_profiles(engine, "engineer")}
    assert "candidate" not in stages
    # The service keeps answering.
    assert isinstance(after, OptimizeJobFailed) and after.reason is OptimizeFailure.unknown_role
