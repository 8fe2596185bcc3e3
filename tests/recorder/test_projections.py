"""Projections (runs, jobs, conversations) follow the log and rebuild identically."""

from __future__ import annotations

from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db.projections import rebuild
from arena_core.db.tables import conversation_events, job_rewards, jobs, runs, turns
from arena_core.recorder import RecorderService
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in (runs, jobs, job_rewards, turns, conversation_events)
        }


async def test_batch_job_with_a_failed_child_is_partial(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    ids = await publish_run(bus, "run-p")
    await settle(bus, engine)
    with engine.connect() as conn:
        parent = conn.execute(select(jobs).where(jobs.c.job_id == ids["parent"].id)).one()
        run = conn.execute(select(runs).where(runs.c.run_id == "run-p")).one()
    assert (parent.state, parent.children_total, parent.children_completed,
            parent.children_failed) == ("partial", 2, 1, 1)  # fmt: skip
    assert (run.status, run.jobs_completed, run.jobs_failed) == ("partial", 1, 2)


async def test_batch_job_is_completed_when_every_child_completed(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    ids = await publish_run(bus, "run-ok", child_fails=False)
    await settle(bus, engine)
    with engine.connect() as conn:
        parent = conn.execute(select(jobs).where(jobs.c.job_id == ids["parent"].id)).one()
    assert parent.state == "completed"


async def test_run_totals_sum_tokens_cost_and_sim_time(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-t")
    await settle(bus, engine)
    with engine.connect() as conn:
        run = conn.execute(select(runs).where(runs.c.run_id == "run-t")).one()
    assert (run.input_tokens, run.output_tokens) == (300, 30)
    assert round(run.cost_usd, 6) == 0.03
    assert run.sim_time_s == 2.5
    assert run.kind == "sample"


async def test_conversation_turns_pair_requests_with_answers(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-c")
    await settle(bus, engine)
    with engine.connect() as conn:
        rows = conn.execute(select(turns).order_by(turns.c.request_seq)).all()
        notes = conn.execute(select(conversation_events)).all()
    assert [r.turn_index for r in rows] == [0, 1, 2]
    assert all(r.response_seq and r.response_seq > r.request_seq for r in rows)
    assert [r.stop_reason for r in rows] == ["tool_use", "tool_use", "end_turn"]
    assert sorted(n.kind for n in notes) == ["thought", "tool_result"]


async def test_rebuild_from_the_log_gives_identical_projections(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-a")
    await publish_run(bus, "run-b", conversation_id="conv-2", child_fails=False)
    await settle(bus, engine)
    await recorder.stop()
    before = snapshot(engine)
    assert before["jobs"] and before["conversation_turns"]
    rebuild(engine)
    assert snapshot(engine) == before


async def test_rebuild_does_not_depend_on_how_the_log_is_batched(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-a")
    await publish_run(bus, "run-b", conversation_id="conv-2")
    await settle(bus, engine)
    await recorder.stop()
    rebuild(engine, chunk=1)
    one_by_one = snapshot(engine)
    rebuild(engine, chunk=10_000)
    assert snapshot(engine) == one_by_one
