"""The optimizer's queries of the recording, answered over a real nats-server by the
responder in the recorder's process; a typed error when nobody answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.engineer import SolveJobCompleted, SolveJobRequested, SolveOutcome
from arena_core.profiles import packaged_profile
from arena_core.query import (
    ProfileQuery,
    QueryRefused,
    QueryUnanswered,
    SolveOutcomesQuery,
    SpentQuery,
    TargetsQuery,
    ask,
)
from arena_core.recorder import RecorderService
from arena_core.spec import examples
from tests.recorder.recording import settle


async def _solve(bus: Bus, benchmark: str, solved: bool, profile_id: str | None) -> None:
    spec = examples.ball_to_goal(0)
    request = Envelope.new(
        SolveJobRequested(benchmark_id=benchmark, spec=spec, key=benchmark, profile_id=profile_id)
    )
    await bus.publish(request)
    done = SolveJobCompleted(
        benchmark_id=benchmark, outcome=SolveOutcome.solved if solved else SolveOutcome.unsolved,
        solved=solved, plan_id="p", submissions=1, sim_calls=1, llm_calls=1, tokens=1,
        cost_usd=0.0, latency_s=1.0, sim_time_s=1.0, wall_s=1.0,
        reasons=() if solved else ("too late",),
    )  # fmt: skip
    await bus.publish(request.follow(done))


async def test_queries_are_answered_from_the_recording(
    bus: Bus, recorder: RecorderService, engine: Engine
) -> None:
    await _solve(bus, "example:ball_to_goal:1", False, None)
    await _solve(bus, "example:ball_to_goal:2", True, None)
    await _solve(bus, "example:ball_to_goal:3", False, "engineer-other")
    await settle(bus, engine)

    seen = await ask(bus, SolveOutcomesQuery(profile_ids=(None,)))
    assert [(o.benchmark_id, o.solved) for o in seen.outcomes] == [
        ("example:ball_to_goal:1", False),
        ("example:ball_to_goal:2", True),
    ]
    assert seen.outcomes[0].reasons == ("too late",)
    other = await ask(bus, SolveOutcomesQuery(profile_ids=("engineer-other",)))
    assert [o.benchmark_id for o in other.outcomes] == ["example:ball_to_goal:3"]

    found = await ask(
        bus, TargetsQuery(benchmark_ids=("example:ball_to_goal:2", "nowhere", "example:nope:1"))
    )
    assert [t.benchmark_id for t in found.targets] == ["example:ball_to_goal:2"]
    assert found.targets[0].spec == examples.ball_to_goal(2)

    spent = await ask(bus, SpentQuery(day=datetime.now(UTC).date()))
    assert (spent.usd, spent.sim_s) == (0.0, 0.0)

    prod = await ask(bus, ProfileQuery(role="engineer"))
    assert prod.profile.id == packaged_profile("engineer").id and not prod.recorded
    with pytest.raises(QueryRefused) as refused:
        await ask(bus, ProfileQuery(role="engineer", profile_id="engineer-9.9.9-x"))
    assert refused.value.kind == "unknown_profile"
    assert recorder.queries is not None and recorder.queries.answered == 6


async def test_a_query_nobody_answers_is_a_typed_error(bus: Bus) -> None:
    with pytest.raises(QueryUnanswered, match="is the recorder running"):
        await ask(bus, SpentQuery(day=datetime.now(UTC).date()), deadline_s=0.5)


async def test_a_malformed_query_is_refused_with_the_reason(
    bus: Bus, recorder: RecorderService
) -> None:
    reply = await bus.nc.request("_ARENA.query.spent", b'{"day": "not a day"}', timeout=10)
    assert b"invalid_query" in reply.data
    reply = await bus.nc.request("_ARENA.query.nothing", b"{}", timeout=10)
    assert b"unknown_query" in reply.data
