"""The simrunner service: jobs in, verdicts out (a real nats-server for the round trip, the
in-memory bus for the handler's other answers)."""

from __future__ import annotations

import base64

import pytest

from arena_core.bus import Bus, RequestFailed
from arena_core.bus.testing import InMemoryBus
from arena_core.events import Envelope
from arena_core.events.sim import (
    AttachedFile,
    MeshBlob,
    MjcfScene,
    SimJobCompleted,
    SimJobFailed,
    SimJobRequested,
    SimValidateCompleted,
    SimValidateRequested,
    SpecScene,
    ValidationFailureKind,
)
from arena_core.settings import Settings
from arena_core.spec import Mesh, Solution, Zone
from arena_core.spec.examples import ball_to_goal, ramp_solution
from simrunner.meshes import box_stl
from simrunner.service import SimRunnerService


async def test_a_sim_job_round_trip_returns_the_verdict(bus: Bus, settings: Settings) -> None:
    ramp_bytes = box_stl((0.25, 0.1, 0.003))
    blob = MeshBlob.of(ramp_bytes)
    part = ramp_solution().parts[0].model_copy(update={"geometry": Mesh(sha256=blob.sha256)})
    request = Envelope.new(
        SimJobRequested(spec=ball_to_goal(), solution=Solution(parts=(part,)), meshes=(blob,))
    )
    async with SimRunnerService(bus, settings).running():
        reply = await bus.request(request, [SimJobCompleted, SimJobFailed], timeout=60)
    assert reply.causation_id == request.id
    assert isinstance(reply.payload, SimJobCompleted)
    assert reply.payload.passed, reply.payload.failures
    assert len(reply.payload.metrics.copies) == 3


async def test_validating_a_spec_returns_the_report_and_the_mjcf(
    memory_bus: InMemoryBus, memory_settings: Settings
) -> None:
    request = Envelope.new(SimValidateRequested(scene=SpecScene(spec=ball_to_goal())))
    async with SimRunnerService(memory_bus, memory_settings).running():
        reply = await memory_bus.request(request, [SimValidateCompleted], timeout=60)
    assert reply.payload.report.valid
    assert reply.payload.mjcf is not None and "dynamic/ball" in reply.payload.mjcf


async def test_validating_an_mjcf_document_reports_its_failures(
    memory_bus: InMemoryBus, memory_settings: Settings
) -> None:
    xml = (
        '<mujoco><include file="parts/a.xml"/><worldbody><body pos="0 0 1"><freejoint/>'
        '<geom type="sphere" size="0.1"/></body></worldbody></mujoco>'
    )
    part = AttachedFile(
        path="parts/a.xml",
        data_b64=base64.b64encode(
            b'<mujoco><worldbody><geom type="plane" size="0 0 1" pos="0 0 1"/></worldbody></mujoco>'
        ).decode(),
    )
    request = Envelope.new(SimValidateRequested(scene=MjcfScene(xml=xml, files=(part,))))
    async with SimRunnerService(memory_bus, memory_settings).running():
        reply = await memory_bus.request(request, [SimValidateCompleted], timeout=60)
    assert reply.payload.report.kinds() == {ValidationFailureKind.interpenetration}


async def test_a_contradictory_spec_is_rejected_with_its_reason(
    memory_bus: InMemoryBus, memory_settings: Settings
) -> None:
    spec = ball_to_goal().model_copy(
        update={"forbid_zones": (Zone(label="lava", low=(0.7, -0.3, -0.1), high=(0.8, 0.3, 0.1)),)}
    )
    async with SimRunnerService(memory_bus, memory_settings).running():
        with pytest.raises(RequestFailed) as failed:
            await memory_bus.request(
                Envelope.new(SimJobRequested(spec=spec)), [SimJobCompleted], timeout=60
            )
    assert failed.value.reply.payload.reason == "spec_contradiction"
    assert "goal_in_forbid_zone" in failed.value.reply.payload.detail


async def test_a_job_naming_a_mesh_it_does_not_carry_is_rejected(
    memory_bus: InMemoryBus, memory_settings: Settings
) -> None:
    part = ramp_solution().parts[0].model_copy(update={"geometry": Mesh(sha256="0" * 64)})
    request = Envelope.new(SimJobRequested(spec=ball_to_goal(), solution=Solution(parts=(part,))))
    async with SimRunnerService(memory_bus, memory_settings).running():
        with pytest.raises(RequestFailed) as failed:
            await memory_bus.request(request, [SimJobCompleted], timeout=60)
    assert failed.value.reply.payload.reason == "missing_mesh"
