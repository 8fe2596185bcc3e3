"""Batch jobs submitted on the bus like any job: the batcher resolves the selection by
asking the recording, runs K child solves per benchmark (real offline team, MuJoCo,
build123d) and answers with the figures; what names nothing is a typed rejection."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from arena_core.db import Message
from arena_core.db.tables import jobs
from arena_core.events import Envelope
from arena_core.events.calibration import CalibrateJobRequested
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested
from arena_core.events.registry import recorded_payload
from arena_core.events.rollouts import RolloutJobRequested
from arena_core.events.selection import BatchFailure, SelectionProblem, SelectionRejected
from arena_core.jobs import SubmitExit, find_job, submit
from arena_core.jobs.run import BATCH_SERVICES
from arena_core.settings import Settings
from arena_core.stack import services_in_process
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
