"""``arena render`` asks the recording for the run's simulation over NATS (the command
opens no database) and draws it; a run or design it does not know is a one-line error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.events import Envelope
from arena_core.events.sim import SimJobRequested
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from arena_core.spec import examples
from tests.recorder.recording import settle


@pytest.fixture
async def recorded_run(
    bus: Bus,
    recorder: RecorderService,
    engine: Engine,
) -> AsyncIterator[str]:
    job = Envelope.new(SimJobRequested(spec=examples.ball_to_goal(3)))
    await bus.publish(job)
    await settle(bus, engine)
    yield job.run_id


def _render(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("ARENA_NATS_URL", str(settings.nats_url))
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    build_app()
    result = CliRunner().invoke(app, ["render", *args])
    return result.exit_code, result.output


async def test_render_draws_the_recorded_design_of_a_run_asked_over_nats(
    recorded_run: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pictures"
    code, output = await asyncio.to_thread(
        _render, settings, monkeypatch, recorded_run[:12], "--out", str(out), "--seconds", "0.2"
    )
    if code == 2 and "OpenGL" in output:
        pytest.skip(output)
    assert code == 0, output
    png = out / f"{recorded_run}-design-0.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    # No simulation answer was recorded: it did not pass, so a GIF is drawn too.
    assert (out / f"{recorded_run}-design-0-copy-0.gif").read_bytes()[:3] == b"GIF"


async def test_the_gif_of_a_failed_simulation_shows_its_first_failed_copy(
    bus: Bus, recorder: RecorderService, engine: Engine, settings: Settings,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from simrunner.simulate import simulate

    spec = examples.ball_to_goal(3)
    job = Envelope.new(SimJobRequested(spec=spec))
    verdict = simulate(spec)  # the bare benchmark: no copy reaches the goal
    failed = [c.copy_index for c in verdict.metrics.copies if not c.success]
    assert not verdict.passed and failed
    await bus.publish(job)
    await bus.publish(job.follow(verdict))
    await settle(bus, engine)
    out = tmp_path / "pictures"
    code, output = await asyncio.to_thread(
        _render, settings, monkeypatch, job.run_id, "--out", str(out), "--seconds", "0.2"
    )
    if code == 2 and "OpenGL" in output:
        pytest.skip(output)
    assert code == 0, output
    assert (out / f"{job.run_id}-design-0-copy-{failed[0]}.gif").is_file()
    code, output = await asyncio.to_thread(
        _render, settings, monkeypatch, job.run_id, "--out", str(out), "--seconds", "0.2",
        "--copy", "2",
    )  # fmt: skip
    assert code == 0 and (out / f"{job.run_id}-design-0-copy-2.gif").is_file(), output


async def test_an_unknown_run_or_design_is_a_one_line_error(
    recorded_run: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = await asyncio.to_thread(_render, settings, monkeypatch, "zzzz")
    assert code == 2 and output.strip().count("\n") == 0 and "zzzz" in output
    code, output = await asyncio.to_thread(
        _render, settings, monkeypatch, recorded_run, "--design", "4"
    )
    assert code == 2 and "has 1 simulations (0..0)" in output
