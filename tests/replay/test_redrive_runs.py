"""Redrive on a real stack: a recorded offline run re-executes from the recording
(no model is asked), sees the world its source saw, and leaves the source untouched."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, select

from arena_core.bus import EmbeddedNats
from arena_core.db import open_database
from arena_core.db.tables import jobs, messages, runs, turns
from arena_core.events import Envelope
from arena_core.events.engineer import SkillContent, SkillWritten, SolveJobCompleted
from arena_core.events.profiles import TeamSettings
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.ids import new_id
from arena_core.replay import diff_runs
from arena_core.replay.redrive import NoConsumer, plan_redrive
from arena_core.replay.rerun import job_consumers, rerun
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import RECORDER, services_in_process
from engineer.solving import TEAM, SolveTarget, request_for, solve
from tests.recorder.recording import settle
from tests.support.profiles import approve


@pytest.fixture
def stack(tmp_path: Path) -> Any:
    with EmbeddedNats(tmp_path / "nats", log_file=tmp_path / "nats.log") as server:
        yield Settings(
            nats_url=server.url, home=tmp_path / ".arena", workspace=tmp_path / "workspace",
            fetch_wait_s=0.2, llm="offline",
        )  # fmt: skip


def _source_state(engine: Engine, run_id: str) -> Any:
    with engine.connect() as conn:
        run = conn.execute(select(runs).where(runs.c.run_id == run_id)).one()._asdict()
        job_rows = sorted(
            tuple(r) for r in conn.execute(select(jobs).where(jobs.c.run_id == run_id))
        )
        turn_rows = sorted(
            tuple(r) for r in conn.execute(select(turns).where(turns.c.run_id == run_id))
        )
    out = io.BytesIO()
    summary = export(engine, ExportFormat.sft_openai, out, flt=ExportFilter(run_id=run_id))
    return run, job_rows, turn_rows, out.getvalue(), summary.rows, dict(summary.skipped_by)


def _llm_policies(engine: Engine, run_id: str) -> list[str]:
    with engine.connect() as conn:
        bodies = conn.execute(
            select(messages.c.body).where(
                messages.c.run_id == run_id, messages.c.type == "llm.call.completed"
            )
        ).scalars()
        return [orjson.loads(b)["payload"]["policy"] for b in bodies]


async def test_a_recorded_offline_solve_redrives_from_the_recording_unchanged(
    stack: Settings, tmp_path: Path
) -> None:
    source = new_id()
    async with services_in_process(stack, TEAM) as bus:
        request = request_for(SolveTarget("example:redriven", ball_to_goal(seed=3)), key="rd1")
        done = await solve(bus, request, run_id=source, timeout=600)
        assert isinstance(done, SolveJobCompleted)
        # Learned since: a skill of this very family (it must not reach the redrive).
        await bus.publish(Envelope.new(SkillWritten(
            skill_id=new_id(), role="engineer", slug="late-lesson",
            content=SkillContent(title="Late lesson", when_to_use="always",
                                 steps=("push harder",), example="", tags=("ball_to_goal",)),
            path="skills/engineer/late-lesson.md", failures_before=1,
        ), run_id=new_id()))  # fmt: skip
        # Approved since: profiles with another instruction and other settings (they must
        # not reach the redrive either).
        late = TeamSettings(max_steps=58)
        await approve(bus, "engineer", settings=late)
        await approve(bus, "planner", settings=late)
    engine = open_database(stack.database_path)
    folder = stack.workspace / source
    assert list(folder.glob("designs/*/design.py")) and list(folder.glob("designs/*/solution.json"))
    assert len(list(folder.glob("plans/*/*.md"))) > 1  # the plan, then each item's update
    before = _source_state(engine, source)
    recorded = _llm_policies(engine, source)
    assert recorded and set(recorded) == {"offline"}

    result = await rerun(stack, engine, source, llm="replay", timeout_s=600)

    assert result.ok, result.jobs
    assert set(_llm_policies(engine, result.run_id)) == {"replay"}  # no model was asked
    assert len(_llm_policies(engine, result.run_id)) == len(recorded)
    report = diff_runs(engine, source, result.run_id)
    assert report.divergences == [], report.divergences[:3]
    assert _source_state(engine, source) == before


async def test_a_job_type_nothing_consumes_is_refused_not_left_running(
    stack: Settings,
) -> None:
    from arena_core.events.demo import DemoJobRequested

    run_id = new_id()
    engine = open_database(stack.database_path)
    async with services_in_process(stack, [RECORDER]) as bus:
        await bus.publish(Envelope.new(DemoJobRequested(benchmarks=1), run_id=run_id))
        await settle(bus, engine)
    assert "demo.job.requested" not in job_consumers()
    with pytest.raises(NoConsumer, match=r"demo\.job\.requested"):
        plan_redrive(engine, run_id, consumed=frozenset(job_consumers()))


async def test_a_recorded_offline_demo_redrives_its_generate_and_solve_jobs(
    stack: Settings,
) -> None:
    from arena_core.demo import DemoRun
    from arena_core.events.demo import DemoJobRequested

    team = ["generator", "simrunner", *TEAM]
    async with services_in_process(stack, team) as bus:
        demo = DemoRun(bus, DemoJobRequested(benchmarks=1, families=("ball_to_goal",)))
        summary = await demo.run()
        await settle(bus, open_database(stack.database_path))
    assert summary.solved == 1
    engine = open_database(stack.database_path)
    before = _source_state(engine, demo.run_id)

    result = await rerun(stack, engine, demo.run_id, llm="replay", timeout_s=600)

    assert [j.type for j in result.jobs] == ["benchmark.job.requested", "solve.job.requested"]
    assert result.ok and result.skipped == ["demo.job.requested"], result.jobs
    assert set(_llm_policies(engine, result.run_id)) == {"replay"}
    assert diff_runs(engine, demo.run_id, result.run_id).divergences == []
    assert _source_state(engine, demo.run_id) == before


async def test_prompt_pin_forks_the_run_onto_another_prompt_version(
    stack: Settings,
) -> None:
    from arena_core.events.llm import LlmCallRequested
    from arena_core.prompts import packaged_prompt
    from arena_core.prompts.changes import new_version

    source = new_id()
    fork = new_version("engineer", "9.0.0", packaged_prompt("engineer").content + "\nBe brief.")
    async with services_in_process(stack, TEAM) as bus:
        request = request_for(SolveTarget("example:forked", ball_to_goal(seed=4)), key="fk1")
        await solve(bus, request, run_id=source, timeout=600)
        await bus.publish(Envelope.new(fork, run_id=new_id()))
        await settle(bus, open_database(stack.database_path))
    engine = open_database(stack.database_path)

    result = await rerun(
        stack, engine, source, llm="offline", prompts={"engineer": "9.0.0"}, timeout_s=600
    )

    assert result.ok, result.jobs
    with engine.connect() as conn:
        bodies = conn.execute(
            select(messages.c.body).where(
                messages.c.run_id == result.run_id,
                messages.c.type == LlmCallRequested.EVENT_TYPE,
            )
        ).scalars()
        used = {
            (p["agent_role"], p["prompt"]["version"])
            for p in (orjson.loads(b)["payload"] for b in bodies)
            if p.get("prompt")
        }
    assert ("engineer", "9.0.0") in used and ("planner", "1.0.0") in used
