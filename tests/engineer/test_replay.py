"""A recorded offline solve re-executes under the replay policy with the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nats.aio.msg import Msg

from arena_core.bus import EmbeddedNats
from arena_core.events import decode
from arena_core.events.engineer import SolveJobCompleted
from arena_core.events.llm import LlmCallCompleted
from arena_core.llm import InMemoryRecordedCalls, RecordedCall
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import services_in_process
from engineer.solving import TEAM, SolveTarget, request_for, solve


async def _solve_recording(root: Path, **policy: Any) -> tuple[Any, list[LlmCallCompleted]]:
    calls: list[LlmCallCompleted] = []
    with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
        settings = Settings(
            nats_url=server.url,
            home=root / ".arena",
            workspace=root / "workspace",
            fetch_wait_s=0.2,
            **policy,
        )
        async with services_in_process(settings, TEAM, record=False) as bus:

            async def keep(msg: Msg) -> None:
                calls.append(decode(msg.subject, msg.data, msg.headers).payload)

            await bus.nc.subscribe("arena.llm.call.completed", cb=keep)
            request = request_for(SolveTarget("example:replayed", ball_to_goal(seed=8)), key="k1")
            done = await solve(bus, request, timeout=600)
            await bus.nc.flush()
    return done, calls


async def test_replay_reproduces_a_recorded_offline_run(tmp_path: Path) -> None:
    original, recorded = await _solve_recording(tmp_path / "offline", llm="offline")
    recording = tmp_path / "calls.jsonl"
    InMemoryRecordedCalls(RecordedCall.from_completed(c) for c in recorded).write_jsonl(recording)

    replayed, answers = await _solve_recording(
        tmp_path / "replay", llm="replay", llm_replay_path=recording
    )

    assert isinstance(original, SolveJobCompleted) and original.solved
    assert isinstance(replayed, SolveJobCompleted) and replayed.solved
    assert {a.policy for a in answers} == {"replay"}
    key = lambda c: (c.conversation_id, c.turn_index)  # noqa: E731
    assert sorted((key(a), a.content) for a in answers) == sorted(
        (key(c), c.content) for c in recorded
    )
    assert replayed.solution == original.solution
