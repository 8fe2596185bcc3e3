"""The generator service end to end: real nats-server, sandbox, simrunner and recorder."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine

from arena_core.bus import RequestFailed
from arena_core.db.benchmarks import library, load_spec
from arena_core.events import Envelope, decode, subject_for
from arena_core.events.benchmark import (
    REVIEW_STAGES,
    BenchmarkCreated,
    BenchmarkJobCompleted,
    BenchmarkJobFailed,
    BenchmarkJobRequested,
    BenchmarkReferenceRecorded,
    BenchmarkReviewStageCompleted,
    ReviewStage,
)
from generator.batch import run_batch
from generator.families import FAMILIES
from tests.generator.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def _job(stack: Stack, **fields: Any) -> Envelope[Any]:
    request = Envelope.new(BenchmarkJobRequested(**fields))
    return await stack.bus.request(
        request, [BenchmarkJobCompleted, BenchmarkJobFailed], timeout=120
    )


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_every_family_yields_valid_solvable_non_trivial_benchmarks(
    stack: Stack, family: str
) -> None:
    report = await run_batch(stack.bus, count=3, family=family, seed=10, timeout_s=300)
    verdicts = [(v.seed, v.stage, v.detail) for v in report.verdicts]
    accepted = sum(v.accepted for v in report.verdicts)
    # A seed whose layout random designs solve too often is rightly rejected as trivial,
    # with the figures that prove it; every other stage passes for every seed.
    assert accepted >= 2, verdicts
    for v in report.verdicts:
        if not v.accepted:
            assert v.stage is ReviewStage.not_trivial, verdicts
            assert "trivial/random_designs" in v.detail, verdicts
    for stage in REVIEW_STAGES:
        wanted = accepted if stage is ReviewStage.not_trivial else 3
        assert report.funnel[stage].passed >= wanted, (stage, report.funnel[stage])


async def test_the_same_seed_gives_the_same_spec_hash(stack: Stack) -> None:
    first, second = await asyncio.gather(
        _job(stack, family="motor_push", seed=77), _job(stack, family="motor_push", seed=77)
    )
    assert isinstance(first.payload, BenchmarkJobCompleted)
    assert isinstance(second.payload, BenchmarkJobCompleted)
    assert first.payload.spec_sha256 == second.payload.spec_sha256


async def test_created_carries_the_spec_but_never_the_reference(stack: Stack) -> None:
    seen: list[Envelope[Any]] = []

    async def collect(msg: Any) -> None:
        seen.append(decode(msg.subject, msg.data, msg.headers))

    subs = [
        await stack.bus.nc.subscribe(subject_for(t.EVENT_TYPE), cb=collect)
        for t in (BenchmarkCreated, BenchmarkReferenceRecorded)
    ]
    reply = await _job(stack, family="hold_load", seed=10)
    await stack.bus.nc.flush()
    for sub in subs:
        await sub.unsubscribe()
    mine = [e for e in seen if e.causation_id == reply.causation_id]
    created = next(e.payload for e in mine if isinstance(e.payload, BenchmarkCreated))
    reference = next(e.payload for e in mine if isinstance(e.payload, BenchmarkReferenceRecorded))
    body = orjson.dumps(created.model_dump(mode="json")).decode()
    assert reference.solution.parts
    for part in reference.solution.parts:
        assert f'"{part.name}"' not in body
    assert "solution" not in body
    assert reference.code.sha256 not in body
    assert created.benchmark_id == reference.benchmark_id


async def test_accepted_benchmarks_form_the_library_without_their_reference(
    stack: Stack,
) -> None:
    reply = await _job(stack, family="bridge_gap", seed=3)
    assert isinstance(reply.payload, BenchmarkJobCompleted)
    engine = stack.recorder.engine
    assert isinstance(engine, Engine)
    row = None
    for _ in range(100):
        with engine.connect() as conn:
            rows = [r for r in library(conn) if r.benchmark_id == reply.payload.benchmark_id]
        if rows and rows[0].reference_seq is not None:
            row = rows[0]
            break
        await asyncio.sleep(0.1)
    assert row is not None
    assert row.spec_sha256 == reply.payload.spec_sha256
    assert load_spec(row).family == "bridge_gap"
    assert "plank" not in row.spec


async def test_every_stage_of_an_accepted_job_is_an_event(stack: Stack) -> None:
    stages: list[BenchmarkReviewStageCompleted] = []

    async def collect(msg: Any) -> None:
        env = decode(msg.subject, msg.data, msg.headers)
        stages.append(env.payload)

    sub = await stack.bus.nc.subscribe(
        subject_for(BenchmarkReviewStageCompleted.EVENT_TYPE), cb=collect
    )
    reply = await _job(stack, family="ball_to_goal", seed=2)
    await stack.bus.nc.flush()
    await sub.unsubscribe()
    assert isinstance(reply.payload, BenchmarkJobCompleted)
    mine = [s for s in stages if s.seed == 2 and s.family == "ball_to_goal"]
    assert [s.stage for s in mine] == list(REVIEW_STAGES)
    assert all(s.passed for s in mine)


async def test_an_unknown_family_is_answered_with_an_invalid_message(stack: Stack) -> None:
    with pytest.raises(RequestFailed) as failed:
        await _job(stack, family="perpetual_motion", seed=1)
    assert failed.value.reply.payload.reason == "unknown_family"


async def test_a_job_with_impossible_fields_is_answered_with_an_invalid_message(
    stack: Stack,
) -> None:
    good = Envelope.new(BenchmarkJobRequested(family="hold_load", seed=1))
    body = orjson.loads(good.model_dump_json())
    body["payload"]["max_attempts"] = 0
    received: asyncio.Future[Envelope[Any]] = asyncio.get_running_loop().create_future()

    async def on_error(msg: Any) -> None:
        env = decode(msg.subject, msg.data, msg.headers)
        if env.payload.event_type == good.type and not received.done():
            received.set_result(env)

    sub = await stack.bus.nc.subscribe("arena.error.invalid_message", cb=on_error)
    await stack.bus.publish_raw(good.subject, orjson.dumps(body), {"Nats-Msg-Id": good.id})
    error = await asyncio.wait_for(received, 30)
    await sub.unsubscribe()
    assert error.payload.reason == "schema_violation"
