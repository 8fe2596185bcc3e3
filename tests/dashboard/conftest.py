"""A real stack for the dashboard: every service but the optimizer in process after a
small demo run, an experiment measured, the API on a free port, and the system's Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.demo import DemoRun
from arena_core.events import Envelope
from arena_core.events.demo import DemoJobCompleted, DemoJobRequested
from arena_core.events.optimizer import OptimizeJobRequested
from arena_core.events.profiles import Objectives, ProfileEvaluated
from arena_core.profiles import new_profile, packaged_profile
from arena_core.settings import Settings
from arena_core.stack import service_names, services_in_process
from tests.api.conftest import issue_tokens, serve
from tests.recorder.recording import engine, settle

__all__ = ["engine", "serve"]

INSTALL_HINT = (
    "no Chromium: install Debian's package (apt-get update && apt-get install -y chromium), "
    "which scripts/test does when it runs as root, or set CHROMIUM_PATH to its path"
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return found or shutil.which("chromium-browser")


@dataclass
class Stack:
    url: str
    tokens: dict[str, str]
    demo: DemoJobCompleted
    demo_run_id: str
    candidate_id: str
    bus: Bus
    engine: Engine


async def measured_experiment(bus: Bus) -> str:
    """An optimize job that measured a candidate and a dominated sibling against the
    default (its events published here: no optimizer runs in this stack)."""
    default = packaged_profile("engineer")
    sections = tuple(
        s.model_copy(update={"text": s.text + "\nCheck every part against the build zone."})
        if i == 1 else s
        for i, s in enumerate(default.sections)
    )  # fmt: skip
    candidate = new_profile("engineer", "1.1.0", sections, parent_ids=(default.id,))
    sibling = new_profile("engineer", "1.1.1", default.sections[:-1] or default.sections,
                          parent_ids=(default.id,))  # fmt: skip
    job = Envelope.new(OptimizeJobRequested(generations=1, population=2, seed=3))
    await bus.publish(job)
    for event in (candidate, sibling):
        await bus.publish(job.follow(event))
    scores = [
        (default.id, Objectives(success=0.5, cost_usd=0.004, tokens=900, latency_s=3,
                                simulations=4), True),
        (candidate.profile_id, Objectives(success=0.75, cost_usd=0.003, tokens=800,
                                          latency_s=3, simulations=3), True),
        (sibling.profile_id, Objectives(success=0.25, cost_usd=0.005, tokens=1200,
                                        latency_s=4, simulations=6), False),
    ]  # fmt: skip
    for profile_id, objectives, passed in scores:
        verdict = ProfileEvaluated(
            profile_id=profile_id, experiment_id=f"{job.id}/{profile_id}", targets=4,
            targets_solved=round(objectives.success * 4), controls=2, passed=passed,
            controls_lost=() if passed else ("example:ball_to_goal:0",), objectives=objectives,
        )  # fmt: skip
        await bus.publish(job.follow(verdict))
    return candidate.profile_id


@pytest.fixture
async def stack(settings: Settings, engine: Engine, serve: Any) -> AsyncIterator[Stack]:
    services = [name for name in service_names() if name != "optimizer"]
    async with services_in_process(settings, services) as bus:
        tokens = await issue_tokens(bus)
        benchmarks = int(os.environ.get("DASHBOARD_DEMO_BENCHMARKS", "2"))
        request = DemoJobRequested(benchmarks=benchmarks, seed=3)
        run = DemoRun(bus, request, stall_timeout_s=300)
        summary = await run.run()
        candidate = await measured_experiment(bus)
        await settle(bus, engine, within_s=60)
        url = await asyncio.to_thread(serve)
        yield Stack(url, tokens, summary, run.run_id, candidate, bus, engine)


@pytest.fixture
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go (``DASHBOARD_SCREENSHOTS`` keeps them, e.g. ``docs``;
    ``DASHBOARD_DEMO_BENCHMARKS`` sizes the demo run behind them)."""
    target = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "shots")
    target.mkdir(parents=True, exist_ok=True)
    return target
