"""An optimizer on another node of the cluster, with an empty ``ARENA_HOME``, answers an
optimize job from the recording kept on the first node: it asks over NATS."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena_core.bus import Bus, StreamSpec
from arena_core.events import Envelope
from arena_core.events.optimizer import (
    OptimizeFailure,
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
)
from arena_core.query import ProfileQuery, QueryRefused, ask
from arena_core.spec import examples
from arena_core.stack import wait_until_running
from tests.deploy.nodes import NatsNode
from tests.deploy.test_cluster import REPLICAS, cluster, workers
from tests.optimizer.test_optimize_on_the_bus import _record_a_failure

__all__ = ["cluster"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


async def test_an_optimizer_with_an_empty_home_on_a_second_node_uses_the_first_nodes_recording(
    cluster: list[NatsNode], tmp_path: Path
) -> None:
    node1, node2, _ = cluster
    stream = StreamSpec(replicas=REPLICAS)
    empty_home = tmp_path / "node2-home"
    first = workers(node1, tmp_path, ARENA_DB_PATH=str(tmp_path / "arena.db"))
    second = workers(node2, tmp_path, ARENA_HOME=str(empty_home))
    try:
        first.start("recorder")
        for service in ("simrunner", "planner", "engineer", "critic"):
            first.start(service)
        second.start("optimizer")
        await wait_until_running(node1.url(), {"recorder": 1}, timeout=120)
        async with Bus(node1.url(), name="node-1", stream=stream) as bus:
            await _record_a_failure(bus, examples.ball_to_goal(0))
        await wait_until_running(
            node2.url(),
            {"simrunner": 1, "planner": 1, "engineer": 1, "critic": 1, "optimizer": 1},
            timeout=180,
        )
        async with Bus(node2.url(), name="node-2", stream=stream) as bus:
            with pytest.raises(QueryRefused) as refused:
                await ask(bus, ProfileQuery(role="engineer", profile_id="engineer-9.9.9-x"))
            assert refused.value.kind == "unknown_profile"
            unknown = await bus.request(
                Envelope.new(OptimizeJobRequested(profile_id="engineer-9.9.9-x")),
                [OptimizeJobCompleted, OptimizeJobFailed],
                timeout=120,
            )
            assert isinstance(unknown.payload, OptimizeJobFailed), unknown.payload
            assert unknown.payload.reason == OptimizeFailure.unknown_profile
            job = OptimizeJobRequested(generations=1, population=2, targets=1, controls=0, seed=3)
            reply = await bus.request(
                Envelope.new(job), [OptimizeJobCompleted, OptimizeJobFailed], timeout=600
            )
        answer = reply.payload
        assert isinstance(answer, OptimizeJobCompleted), answer
        assert answer.evaluated == 3 and answer.front
        # The optimizer's node never opened a database of its own.
        assert not (empty_home / "arena.db").exists()
        assert not [w.service for w in first.crashed() + second.crashed()]
    finally:
        second.stop()
        first.stop()
