"""Services started inside a command's own process: one helper, recorder included."""

from __future__ import annotations

from sqlalchemy import select

from arena_core.db import Message, open_database
from arena_core.events import Envelope
from arena_core.events.sim import SimValidateCompleted, SimValidateRequested, SpecScene
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import probe_health, services_in_process
from tests.recorder.recording import settle


async def test_services_in_process_answer_and_the_recorder_records_the_run(
    settings: Settings,
) -> None:
    request = Envelope.new(SimValidateRequested(scene=SpecScene(spec=ball_to_goal())))
    engine = open_database(settings.database_path)
    async with services_in_process(settings, ["simrunner"]) as bus:
        running = {h.service for h in await probe_health(str(settings.nats_url))}
        reply = await bus.request(request, [SimValidateCompleted], timeout=60)
        await settle(bus, engine)
    assert running == {"recorder", "simrunner"}
    assert reply.payload.report.valid
    with engine.connect() as conn:
        types = set(conn.scalars(select(Message.type).where(Message.run_id == request.run_id)))
    assert types == {"sim.validate.requested", "sim.validate.completed"}


async def test_without_recording_only_the_named_services_run(settings: Settings) -> None:
    async with services_in_process(settings, ["simrunner"], record=False) as bus:
        running = {h.service for h in await probe_health(str(settings.nats_url))}
        assert bus.connected
    assert running == {"simrunner"}
    assert not bus.connected


async def test_a_recorder_named_explicitly_runs_even_without_recording(
    settings: Settings,
) -> None:
    async with services_in_process(settings, ["recorder"], record=False):
        running = {h.service for h in await probe_health(str(settings.nats_url))}
    assert running == {"recorder"}
