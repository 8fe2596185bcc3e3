"""The 3-node cluster of deploy/cluster: workers on different nodes, one node killed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from arena_core.bus import Bus, StreamSpec
from arena_core.db import Message, open_database
from arena_core.events import Envelope
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal, ramp_solution
from arena_core.stack import ServiceProcesses, wait_until_running
from tests.deploy.nodes import DEPLOY, NatsNode, localized_copy

pytestmark = pytest.mark.slow

REPLICAS = 3


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[NatsNode]]:
    """deploy/cluster/node-{1,2,3}.conf on free loopback ports, stores in tmp."""
    files = [DEPLOY / "cluster" / f"node-{n}.conf" for n in (1, 2, 3)]
    configs = localized_copy(files, tmp_path / "cluster")
    nodes = [
        NatsNode(name=c.stem, config=c, log=tmp_path / f"{c.stem}.log").start() for c in configs
    ]
    try:
        for node in nodes:
            node.wait_healthy()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def workers(node: NatsNode, tmp_path: Path, **env: str) -> ServiceProcesses:
    """Worker processes that first connect to ``node`` (they learn the others from it)."""
    settings = Settings(nats_url=node.url(), home=tmp_path / ".arena")
    return ServiceProcesses(
        settings,
        tmp_path / "logs" / node.name,
        extra_env={
            "ARENA_STREAM_REPLICAS": str(REPLICAS),
            "ARENA_ACK_WAIT_S": "3",
            "ARENA_HOME": str(tmp_path / ".arena"),
            "ARENA_WORKSPACE": str(tmp_path / "workspace"),
            **env,
        },
    )


def sim_job(seed: int) -> Envelope[SimJobRequested]:
    return Envelope.new(
        SimJobRequested(spec=ball_to_goal(seed, copies=1), solution=ramp_solution())
    )


async def run_jobs(bus: Bus, count: int, first_seed: int) -> list[Envelope[SimJobRequested]]:
    jobs = [sim_job(first_seed + i) for i in range(count)]
    replies = await asyncio.gather(
        *(bus.request(job, [SimJobCompleted, SimJobFailed], timeout=90) for job in jobs)
    )
    assert [r.causation_id for r in replies] == [j.id for j in jobs]
    assert all(isinstance(r.payload, SimJobCompleted) and r.payload.passed for r in replies)
    return jobs


async def recorded_answers(db: Path, jobs: list[str], timeout: float = 60.0) -> set[str]:
    """Ids of the jobs whose request and completion are both in the recording."""
    engine = open_database(db)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        with engine.connect() as conn:
            requested = set(
                conn.execute(select(Message.msg_id).where(Message.msg_id.in_(jobs))).scalars()  # type: ignore[union-attr]
            )
            answered = set(
                conn.execute(
                    select(Message.causation_id).where(
                        Message.causation_id.in_(jobs),  # type: ignore[union-attr]
                        Message.type == SimJobCompleted.EVENT_TYPE,
                    )
                ).scalars()
            )
        done = requested & answered
        if done == set(jobs) or loop.time() > end:
            engine.dispose()
            return {j for j in done if j is not None}
        await asyncio.sleep(0.25)


async def test_jobs_flow_across_nodes_and_survive_losing_one(
    cluster: list[NatsNode], tmp_path: Path
) -> None:
    node1, node2, node3 = cluster
    stream = StreamSpec(replicas=REPLICAS)
    async with Bus(node3.url(), name="test-client", stream=stream) as bus:
        on_node = [
            workers(node1, tmp_path),
            workers(node2, tmp_path),
            workers(node3, tmp_path, ARENA_DB_PATH=str(tmp_path / "arena.db")),
        ]
        try:
            on_node[0].start("simrunner")
            on_node[1].start("simrunner")
            on_node[2].start("recorder")
            await wait_until_running(node3.url(), {"simrunner": 2, "recorder": 1})

            before = await run_jobs(bus, 6, first_seed=0)

            # Jobs are still in flight when node 1 (and the simrunner connected to it) loses
            # its server: the survivors keep the stream and the other workers finish them.
            during = [sim_job(100 + i) for i in range(6)]
            waiting = [
                asyncio.ensure_future(bus.request(j, [SimJobCompleted, SimJobFailed], timeout=90))
                for j in during
            ]
            await asyncio.sleep(0.05)
            node1.kill()
            replies = await asyncio.gather(*waiting)
            assert all(isinstance(r.payload, SimJobCompleted) for r in replies)

            after = await run_jobs(bus, 6, first_seed=200)
            # The simrunner of node 1 reconnected to another node and is back at work.
            await wait_until_running(node2.url(), {"simrunner": 2, "recorder": 1}, timeout=90)

            info = await bus.js.stream_info(stream.name)
            assert info.config.num_replicas == REPLICAS
            assert info.cluster is not None and len(info.cluster.replicas or []) == REPLICAS - 1

            ids = [j.id for j in before + during + after]
            assert await recorded_answers(tmp_path / "arena.db", ids) == set(ids)
            assert not [w.service for p in on_node for w in p.crashed()]
        finally:
            for procs in on_node:
                procs.stop()
