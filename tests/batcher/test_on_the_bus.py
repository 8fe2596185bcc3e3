"""Batch jobs submitted on the bus like any job: the batcher resolves the selection by
asking the recording, runs K child solves per benchmark (real offline team, MuJoCo,
build123d) and answers with the figures; what names nothing is a typed rejection."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select

from arena_core.db import Message
from arena_core.db.tables import jobs, turns
from arena_core.events import Envelope
from arena_core.events.calibration import CalibrateJobRequested
from arena_core.events.engineer import (
    SkillContent,
    SkillWritten,
    SolveJobCompleted,
    SolveJobRequested,
)
from arena_core.events.registry import recorded_payload
from arena_core.events.rollouts import RolloutJobRequested
from arena_core.events.selection import BatchFailure, SelectionProblem, SelectionRejected
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.ids import bounded
from arena_core.jobs import SubmitExit, find_job, submit
from arena_core.jobs.run import BATCH_SERVICES
from arena_core.library import example
from arena_core.prompts.skills import skill_path
from arena_core.settings import Settings
from arena_core.stack import services_in_process
from arena_core.state import SharedState
from tests.recorder.recording import settle

messages = Message.__table__  # type: ignore[attr-defined]


async def _submit(settings: Settings, job: Any) -> tuple[SubmitExit, dict[str, Any]]:
    kind = find_job(job.EVENT_TYPE)
    kind.check_consumed()  # what `arena submit` checks first: a worker consumes it
    assert settings.nats_url
    return await submit(
        settings.nats_url, Envelope.new(job), wait=True, timeout=900, replies=kind.replies
    )


def _recorded(engine: Engine, event_type: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(messages.c.causation_id, messages.c.body, messages.c.msg_id).where(
                    messages.c.type == event_type
                )
            )
        )


@pytest.mark.slow
async def test_a_rollout_job_on_the_bus_completes_with_k_children_and_their_rewards(
    settings: Settings, engine: Engine
) -> None:
    job = RolloutJobRequested(benchmark_ids=("example:ball_to_goal:0", "nosuch"), k=2)
    async with services_in_process(settings, BATCH_SERVICES) as bus:
        code, answer = await _submit(settings, job)
        await settle(bus, engine)
    assert code == SubmitExit.ok, answer
    done = answer["payload"]
    assert answer["type"] == "rollout.job.completed"
    assert (done["benchmarks"], done["rollouts"]) == (1, 2)
    assert [r["rollout_seed"] for r in done["results"]] == [0, 1]
    rewards = [r["reward"] for r in done["results"]]
    assert all(r is not None and 0.0 <= r <= 1.0 for r in rewards), rewards
    # The unknown id is a typed rejection; the rest of the batch went on.
    (rejected,) = done["rejected"]
    assert (rejected["reason"], rejected["value"]) == ("unknown_benchmark", "nosuch")
    (event,) = _recorded(engine, SelectionRejected.EVENT_TYPE)
    assert event.causation_id == answer["causation_id"]

    children = _recorded(engine, SolveJobRequested.EVENT_TYPE)
    assert len(children) == 2 and {c.causation_id for c in children} == {event.causation_id}
    answers = {
        a.causation_id: recorded_payload(a.body, SolveJobCompleted)
        for a in _recorded(engine, SolveJobCompleted.EVENT_TYPE)
    }
    by_child = {r["job_id"]: r["reward"] for r in done["results"]}
    assert {c.msg_id: answers[c.msg_id].reward for c in children} == by_child
    with engine.connect() as conn:
        batch = conn.execute(select(jobs).where(jobs.c.kind == "rollout")).one()
    assert batch.children_total == 2 and batch.state in {"completed", "partial"}


@pytest.mark.slow
async def test_a_calibrate_job_on_the_bus_answers_with_pass_at_k_and_auccess(
    settings: Settings, engine: Engine
) -> None:
    job = CalibrateJobRequested(benchmark_ids=("example:ball_to_goal:0",), rollouts=1)
    async with services_in_process(settings, BATCH_SERVICES) as bus:
        code, answer = await _submit(settings, job)
        await settle(bus, engine)
    assert code == SubmitExit.ok, answer
    (figures,) = answer["payload"]["results"]
    assert figures["benchmark_id"] == "example:ball_to_goal:0" and figures["rollouts"] == 1
    assert figures["pass_at_k"] in (0.0, 1.0) and 0.0 <= figures["auccess"] <= 1.0
    assert len(_recorded(engine, "benchmark.calibrated")) == 1


@pytest.mark.parametrize(
    "job",
    [
        RolloutJobRequested(families=("no_such_family",), k=2),
        CalibrateJobRequested(benchmark_ids=("zzz",), families=("no_such_family",)),
    ],
    ids=["rollout", "calibrate"],
)
async def test_a_batch_that_selects_nothing_fails_with_typed_rejections(
    settings: Settings, engine: Engine, job: Any
) -> None:
    async with services_in_process(settings, ["recorder", "batcher"]) as bus:
        code, answer = await _submit(settings, job)
        await settle(bus, engine)
    assert code == SubmitExit.job_failed, answer
    failed = answer["payload"]
    assert failed["reason"] == BatchFailure.no_benchmarks
    asked = [(SelectionProblem.unknown_family, "no_such_family")]
    if job.benchmark_ids:
        asked.insert(0, (SelectionProblem.unknown_benchmark, "zzz"))
    assert [(r["reason"], r["value"]) for r in failed["rejected"]] == asked
    assert len(_recorded(engine, SelectionRejected.EVENT_TYPE)) == len(asked)
    assert _recorded(engine, SolveJobRequested.EVENT_TYPE) == []


async def _first_recorded(engine: Engine, event_type: str, within_s: float = 600) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while not _recorded(engine, event_type):
        assert loop.time() < end, f"no {event_type} within {within_s:g} s"
        await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_rollouts_of_a_batch_read_the_skills_of_its_start_and_form_one_group(
    settings: Settings, engine: Engine
) -> None:
    k, target = 3, example("example:ball_to_goal:0")
    words = (target.spec.family, target.spec.goal.kind)
    job = RolloutJobRequested(benchmark_ids=(target.benchmark_id,), k=k, concurrency=1)
    async with services_in_process(settings, BATCH_SERVICES) as bus:
        submitted = asyncio.create_task(_submit(settings, job))
        # Once the first rollout is answered, a skill the later ones' prompt would list is
        # written (one rollout at a time: the later ones start after it).
        await _first_recorded(engine, SolveJobCompleted.EVENT_TYPE)
        taught = Envelope.new(
            SkillWritten(
                skill_id="taught-mid-batch", role="engineer", slug="mid-batch",
                content=SkillContent(title="Mid batch", when_to_use="always", steps=("go",),
                                     example="", tags=words),
                path=skill_path("engineer", "mid-batch"), failures_before=3,
            )
        )  # fmt: skip
        await bus.publish(taught)
        code, answer = await submitted
        await settle(bus, engine)
        # The skill is there for any solve the batch did not pin.
        latest = await SharedState(bus).skills("engineer", list(words))
    assert code == SubmitExit.ok, answer
    assert answer["payload"]["rollouts"] == k
    assert [s.id for s in latest] == ["taught-mid-batch"]

    children = [recorded_payload(c.body, SolveJobRequested) for c in
                _recorded(engine, SolveJobRequested.EVENT_TYPE)]  # fmt: skip
    with engine.connect() as conn:
        written = conn.execute(
            select(messages.c.seq).where(messages.c.msg_id == taught.id)
        ).scalar_one()
        started = conn.execute(
            select(func.max(turns.c.request_seq)).where(
                turns.c.conversation_id == bounded(f"engineer-{children[-1].key}"),
                turns.c.turn_index == 0,
            )
        ).scalar_one()
    assert written < started  # the last rollout began after the skill was written

    summary = export(engine, ExportFormat.grpo, io.BytesIO(), ExportFilter(role="engineer"))
    out = io.BytesIO()
    export(engine, ExportFormat.grpo, out, ExportFilter(role="engineer"))
    groups = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [g["group_size"] for g in groups] == [k] and summary.rows == 1
    (group,) = groups
    assert group["benchmark_id"] == target.benchmark_id
    # Every rollout read the skills of the batch's start: none then.
    assert len(children) == k and {c.skills for c in children} == {()}
