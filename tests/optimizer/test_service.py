"""The optimizer service on a real nats-server: bad jobs are answered with typed
failures and the service keeps working; approval through the CLI moves ``prod``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.events import Envelope
from arena_core.events.optimizer import (
    OptimizeFailure,
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
)
from arena_core.events.profiles import Objectives, ProfileEvaluated, TeamSettings
from arena_core.profiles import new_profile, packaged_profile, packaged_profile_event, prod_profile
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from arena_core.state import SharedState
from optimizer.service import OptimizerService
from tests.recorder.recording import settle

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
