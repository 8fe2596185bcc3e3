"""An engineer killed mid-job: the redelivered job records one skill, and the tables
equal a rebuild from the log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from nats.aio.msg import Msg
from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.db.projections import rebuild
from arena_core.db.team import PlanRow, SkillRow
from arena_core.events import decode
from arena_core.events.engineer import SkillWritten, SolveJobCompleted
from arena_core.prompts.tables import PromptRow, PromptTag
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import ServiceProcesses, wait_until_running
from engineer.solving import SolveTarget, request_for, solve
from tests.recorder.recording import settle

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TABLES = [t.__table__ for t in (PlanRow, SkillRow, PromptRow, PromptTag)]  # type: ignore[attr-defined]
ATTEMPTS = 3
"""Solves tried until the kill lands between the skill and the answer (it nearly always
does on the first)."""


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in TABLES
        }


def tight_budget(seed: int) -> SolveTarget:
    """Most designs cost too much: the engineer fails three times, then writes a skill."""
    spec = ball_to_goal(seed=2)
    narrow = spec.model_copy(
        update={
            "family": "tight_budget",
            "constraints": spec.constraints.model_copy(update={"max_cost": 0.45}),
        }
    )
    return SolveTarget(f"example:tight:{seed}", narrow)


async def test_an_engineer_killed_after_writing_a_skill_leaves_tables_equal_to_a_rebuild(
    settings: Settings, tmp_path: Path
) -> None:
    db = tmp_path / "arena.db"
    procs = ServiceProcesses(
        settings,
        tmp_path / "logs",
        extra_env={
            "ARENA_HOME": str(tmp_path / ".arena"),
            "ARENA_DB_PATH": str(db),
            "ARENA_WORKSPACE": str(tmp_path / "workspace"),
            "ARENA_ACK_WAIT_S": "4",
        },
    )
    for service in ("recorder", "simrunner", "planner", "critic", "engineer"):
        procs.start(service)
    try:
        assert settings.nats_url
        await wait_until_running(
            settings.nats_url,
            {s: 1 for s in ("recorder", "simrunner", "planner", "critic", "engineer")},
            timeout=180,
        )
        async with make_bus(settings, name="test") as bus:
            written, answered = await _kill_between_skill_and_answer(bus, procs)
            procs.start("engineer")  # the plan is delivered again to a new process
            done = await answered
            assert isinstance(done, SolveJobCompleted) and done.solved, done
            engine = open_database(db)
            await settle(bus, engine)
        with engine.connect() as conn:
            rows = conn.execute(select(TABLES[1]).where(TABLES[1].c.slug == written.slug)).all()
        runs = {r.id: r.run_id for r in rows}
        assert written.skill_id in runs
        # An earlier attempt whose engineer answered before the kill wrote the same slug in
        # its own run; the killed run itself holds exactly one skill row.
        assert [i for i, run in runs.items() if run == runs[written.skill_id]] == [written.skill_id]
        before = snapshot(engine)
        procs.stop()
        rebuild(engine, tmp_path / "rebuilt")
        assert snapshot(engine) == before
    finally:
        procs.stop()


async def _kill_between_skill_and_answer(
    bus: Bus, procs: ServiceProcesses
) -> tuple[SkillWritten, asyncio.Future[Any]]:
    """Solve until the engineer is SIGKILLed after its skill and before its answer."""
    for attempt in range(ATTEMPTS):
        (worker,) = [w for w in procs.workers if w.service == "engineer" and w.proc.poll() is None]
        skills: list[SkillWritten] = []
        answers: list[str] = []
        skill_seen = asyncio.Event()

        async def on_skill(
            msg: Msg, worker: Any = worker, skills: list[Any] = skills, seen: Any = skill_seen
        ) -> None:
            if not skills:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.proc.pid, signal.SIGKILL)
                skills.append(decode(msg.subject, msg.data, msg.headers).payload)
                seen.set()

        async def on_answer(msg: Msg, answers: list[str] = answers) -> None:
            answers.append(msg.headers.get("Nats-Msg-Id", "") if msg.headers else "")

        watch = [
            await bus.nc.subscribe(f"arena.{SkillWritten.EVENT_TYPE}", cb=on_skill),
            await bus.nc.subscribe(f"arena.{SolveJobCompleted.EVENT_TYPE}", cb=on_answer),
        ]
        request = request_for(tight_budget(attempt))
        answered = asyncio.ensure_future(
            solve(bus, request, run_id=f"killed-{attempt}", timeout=600)
        )
        seen = asyncio.ensure_future(skill_seen.wait())
        await asyncio.wait([seen, answered], return_when=asyncio.FIRST_COMPLETED)
        seen.cancel()
        assert skills, f"the solve ended without a skill: {answered.result()}"
        worker.proc.wait(30)
        for sub in watch:
            await sub.unsubscribe()
        if skills and not answers:
            return skills[0], answered
        await answered  # the engineer answered before it died: try again
        procs.start("engineer")
    raise AssertionError(f"the kill never landed between the skill and the answer in {ATTEMPTS}")
