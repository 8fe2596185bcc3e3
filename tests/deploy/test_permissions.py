"""Per-service NATS users (deploy/permissions): enough to work, nothing more."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import orjson
import pytest
from nats.aio.client import Client

from arena_core.bus import Bus, PublishError
from arena_core.bus.controls import BUCKET, CANCELLED, PAUSED, JobControls
from arena_core.events import Envelope
from arena_core.events.sim import SimJobCompleted, SimJobRequested
from arena_core.events.wire import encode
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal, ramp_solution
from arena_core.stack import ServiceProcesses, wait_until_running
from arena_core.state.buckets import BUCKETS, ensure_bucket
from tests.deploy.nodes import DEPLOY, NatsNode, localized_copy, password_env

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[NatsNode]:
    """deploy/nats-server.conf with deploy/permissions/users.conf, on free ports."""
    users = tmp_path / "server" / "permissions" / "users.conf"
    users.parent.mkdir(parents=True)
    users.write_text((DEPLOY / "permissions" / "users.conf").read_text())
    (config,) = localized_copy([DEPLOY / "nats-server.conf"], tmp_path / "server")
    node = NatsNode("single", config, tmp_path / "nats.log", env=password_env()).start()
    try:
        node.wait_healthy()
        yield node
    finally:
        node.stop()


@pytest.fixture
def services(server: NatsNode, tmp_path: Path) -> Iterator[Path]:
    """A simrunner and a recorder, each logged in as its own user; yields the database."""
    db = tmp_path / "arena.db"
    started = []
    for name, extra in (("simrunner", {}), ("recorder", {"ARENA_DB_PATH": str(db)})):
        settings = Settings(nats_url=server.url(name), home=tmp_path / ".arena")
        procs = ServiceProcesses(settings, tmp_path / "logs", extra_env=extra)
        procs.start(name)
        started.append(procs)
    try:
        asyncio.run(wait_until_running(server.url("client"), {"simrunner": 1, "recorder": 1}))
        yield db
    finally:
        for procs in started:
            procs.stop()


class Refusals:
    """A raw client that keeps the server's asynchronous errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._seen = asyncio.Event()

    async def connect(self, url: str) -> Client:
        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc))
            self._seen.set()

        return await nats.connect(url, error_cb=on_error, max_reconnect_attempts=0)

    async def wait(self, timeout: float = 5.0) -> list[str]:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._seen.wait(), timeout)
        return self.errors


@pytest.fixture
async def refusals() -> AsyncIterator[Refusals]:
    yield Refusals()


def sim_job() -> Envelope[SimJobRequested]:
    return Envelope.new(SimJobRequested(spec=ball_to_goal(copies=1), solution=ramp_solution()))


def violations(server: NatsNode) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if "Violation" in line]


def test_services_and_a_client_do_a_job_with_their_own_users_and_no_violation(
    server: NatsNode, services: Path, tmp_path: Path
) -> None:
    job = tmp_path / "job.json"
    job.write_bytes(orjson.dumps(sim_job().payload.model_dump(mode="json")))
    result = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", "submit", "sim", "--file", str(job), "--wait"],
        capture_output=True,
        text=True,
        env={**os.environ, "ARENA_NATS_URL": server.url("client")},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reply = orjson.loads(result.stdout)
    assert reply["type"] == SimJobCompleted.EVENT_TYPE and reply["payload"]["passed"]
    assert violations(server) == []


async def test_a_service_cannot_publish_a_subject_it_does_not_own(
    server: NatsNode, refusals: Refusals
) -> None:
    nc = await refusals.connect(server.url("simrunner"))
    try:
        subject, body, headers = encode(sim_job())
        with pytest.raises(nats.errors.TimeoutError):
            await nc.jetstream().publish(subject, body, headers=headers, timeout=1)
        errors = await refusals.wait()
    finally:
        await nc.close()
    assert any("permissions violation for publish" in e.lower() for e in errors), errors
    assert any("arena.sim.job.requested" in line for line in violations(server))


async def test_a_client_cannot_forge_a_job_result(server: NatsNode, refusals: Refusals) -> None:
    nc = await refusals.connect(server.url("client"))
    try:
        forged = Envelope.new(SimJobRequested(spec=ball_to_goal())).follow(
            SimJobCompleted.model_validate(
                {
                    "passed": True,
                    "validation": {"valid": True},
                    "metrics": {},
                    "scoring": {},
                }
            )
        )
        subject, body, headers = encode(forged)
        await nc.publish(subject, body, headers=headers)
        await nc.flush()
        errors = await refusals.wait()
    finally:
        await nc.close()
    assert any("arena.sim.job.completed" in e for e in errors), errors


async def test_a_client_cannot_read_every_event(server: NatsNode, refusals: Refusals) -> None:
    nc = await refusals.connect(server.url("client"))
    try:
        await nc.subscribe("arena.>")
        await nc.flush()
        errors = await refusals.wait()
    finally:
        await nc.close()
    assert any("permissions violation for subscription" in e.lower() for e in errors), errors


async def test_a_client_cannot_delete_the_stream(server: NatsNode) -> None:
    admin = Bus(server.url("admin"), name="admin")
    async with admin:
        nc = await nats.connect(server.url("client"))
        try:
            with pytest.raises(nats.errors.TimeoutError):
                await nc.jetstream(timeout=1).delete_stream(admin.stream.name)
        finally:
            await nc.close()
        info = await admin.js.stream_info(admin.stream.name)
    assert info.config.name == admin.stream.name


async def test_an_unknown_user_is_not_let_in(server: NatsNode) -> None:
    with pytest.raises((nats.errors.Error, OSError)):
        await nats.connect(
            f"nats://intruder:guess@127.0.0.1:{server.client_port}",
            max_reconnect_attempts=0,
            allow_reconnect=False,
            connect_timeout=2,
        )


async def test_an_admin_may_publish_anything(server: NatsNode) -> None:
    async with Bus(server.url("admin"), name="admin") as bus:
        seq = await bus.publish(sim_job())
    assert seq >= 1


async def test_a_bus_without_the_right_user_reports_a_publish_error(server: NatsNode) -> None:
    async with Bus(server.url("recorder"), name="recorder") as bus:
        with pytest.raises(PublishError):
            await bus.publish(sim_job(), timeout=1)


async def test_workers_read_the_batch_controls_the_api_user_writes(server: NatsNode) -> None:
    async with Bus(server.url("admin"), name="admin"):
        pass  # the stream, as the first worker would create it
    async with Bus(server.url("api"), name="api") as api:
        await JobControls(api).ensure()
        await JobControls(api).cancel("batch-cancelled")
        await JobControls(api).pause("batch-paused")
    for user in ("simrunner", "engineer", "planner", "critic", "generator", "optimizer"):
        async with Bus(server.url(user), name=user) as worker:
            controls = JobControls(worker)
            assert await controls.state("batch-cancelled") == CANCELLED, user
            assert await controls.state("batch-paused") == PAUSED, user
            assert await controls.state("batch-unknown") is None, user
    assert violations(server) == []


async def test_a_worker_cannot_write_the_batch_controls(server: NatsNode) -> None:
    async with Bus(server.url("admin"), name="admin"):
        pass
    async with Bus(server.url("api"), name="api") as api:
        await JobControls(api).ensure()
    async with Bus(server.url("engineer"), name="engineer") as worker:
        kv = await worker.js.key_value(BUCKET)
        with pytest.raises((nats.errors.Error, TimeoutError)):
            await kv.put("batch-forged", CANCELLED)
    assert any(f"$KV.{BUCKET}" in line for line in violations(server))


async def test_the_team_reads_every_shared_state_bucket_the_recorder_fills(
    server: NatsNode,
) -> None:
    async with Bus(server.url("recorder"), name="recorder") as recorder:
        for name in BUCKETS:
            kv = await ensure_bucket(recorder.js, name)
            await kv.put("engineer.prod", name.encode())
    for user in ("planner", "engineer", "critic"):
        async with Bus(server.url(user), name=user) as worker:
            for name in BUCKETS:
                kv = await worker.js.key_value(name)
                assert (await kv.get("engineer.prod")).value == name.encode(), (user, name)
    assert violations(server) == []


async def test_the_optimizer_may_query_the_recording_and_the_simrunner_may_not(
    server: NatsNode, services: Path, refusals: Refusals
) -> None:
    from datetime import UTC, datetime

    from arena_core.query import SpentQuery, ask

    async with Bus(server.url("optimizer"), name="optimizer") as optimizer:
        spent = await ask(optimizer, SpentQuery(day=datetime.now(UTC).date()))
    assert (spent.usd, spent.sim_s) == (0.0, 0.0)
    nc = await refusals.connect(server.url("simrunner"))
    try:
        with pytest.raises(nats.errors.TimeoutError):
            await nc.request("_ARENA.query.spent", b'{"day": "2026-01-01"}', timeout=1)
        errors = await refusals.wait()
    finally:
        await nc.close()
    assert any("permissions violation for publish" in e.lower() for e in errors), errors
