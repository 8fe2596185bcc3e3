"""The replay policy: a recorded run re-executes offline, and divergence is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena_core.events.llm import LlmCallCompleted, LlmCallFailed, LlmFailureReason
from arena_core.llm import (
    Conversation,
    InMemoryRecordedCalls,
    LlmError,
    ReplayMismatch,
    ToolRegistry,
    make_llm,
)
from arena_core.settings import Settings
from tests.llm.conftest import Emitted
from tests.llm.deciders import engineer, size_beam


def beam_tools() -> ToolRegistry:
    tools = ToolRegistry()
    tools.tool()(size_beam)
    return tools


async def record(settings: Settings) -> InMemoryRecordedCalls:
    recording = InMemoryRecordedCalls()
    llm = make_llm(settings, deciders={"engineer": engineer}, emit=recording.capture(Emitted()))
    conversation = Conversation(
        llm,
        agent_role="engineer",
        system="Size the beam.",
        tools=beam_tools(),
        conversation_id="job-7/engineer",
    )
    conversation.add_user("Carry 50 N.")
    await conversation.run()
    return recording


def replaying(settings: Settings) -> Settings:
    return settings.model_copy(update={"llm": "replay"})


async def replay(
    settings: Settings, recording: InMemoryRecordedCalls, emitted: Emitted, system: str
) -> LlmCallCompleted:
    llm = make_llm(replaying(settings), recorded=recording, emit=emitted)
    conversation = Conversation(
        llm,
        agent_role="engineer",
        system=system,
        tools=beam_tools(),
        conversation_id="job-7/engineer",
    )
    conversation.add_user("Carry 50 N.")
    return await conversation.run()


async def test_a_recorded_run_replays_to_the_same_answers(
    offline_settings: Settings, emitted: Emitted
) -> None:
    recording = await record(offline_settings)

    final = await replay(offline_settings, recording, emitted, "Size the beam.")

    replayed = emitted.of(LlmCallCompleted)
    assert [c.policy for c in replayed] == ["replay", "replay"]
    assert [(c.turn_index, c.content) for c in replayed] == [
        (r.turn_index, r.content) for r in recording
    ]
    assert final.text.startswith("Final design:")


async def test_a_changed_prompt_is_a_replay_mismatch(
    offline_settings: Settings, emitted: Emitted
) -> None:
    recording = await record(offline_settings)

    with pytest.raises(ReplayMismatch) as caught:
        await replay(offline_settings, recording, emitted, "Size the beam carefully.")

    recorded = recording.get("job-7/engineer", 0)
    assert recorded is not None
    assert caught.value.recorded_hash == recorded.request_hash
    assert caught.value.request_hash != recorded.request_hash
    assert emitted.of(LlmCallFailed)[0].reason is LlmFailureReason.replay_mismatch


async def test_a_call_missing_from_the_recording_fails_loudly(
    offline_settings: Settings, emitted: Emitted
) -> None:
    with pytest.raises(LlmError) as caught:
        await replay(offline_settings, InMemoryRecordedCalls(), emitted, "Size the beam.")

    assert caught.value.reason is LlmFailureReason.replay_missing


async def test_a_recording_survives_a_jsonl_round_trip(
    offline_settings: Settings, tmp_path: Path, emitted: Emitted
) -> None:
    path = tmp_path / "calls.jsonl"
    (await record(offline_settings)).write_jsonl(path)
    settings = replaying(offline_settings).model_copy(update={"llm_replay_path": path})

    llm = make_llm(settings, emit=emitted)
    conversation = Conversation(
        llm,
        agent_role="engineer",
        system="Size the beam.",
        tools=beam_tools(),
        conversation_id="job-7/engineer",
    )
    conversation.add_user("Carry 50 N.")
    final = await conversation.run()

    assert final.turn_index == 1


def test_a_corrupt_recording_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('\n{"conversation_id": "c"}\n')

    with pytest.raises(ValueError, match=r"calls\.jsonl:2"):
        InMemoryRecordedCalls.read_jsonl(path)
