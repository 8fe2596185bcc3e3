"""LLM events published on a real bus decode as their registered types."""

from __future__ import annotations

import asyncio

from arena_core.bus import Bus
from arena_core.events import decode
from arena_core.events.llm import LlmCallCompleted, LlmCallRequested
from arena_core.llm import Conversation, bus_emitter, make_llm
from arena_core.settings import Settings
from tests.llm.deciders import engineer, size_beam


async def test_a_conversation_is_recorded_on_the_stream(bus: Bus, settings: Settings) -> None:
    emit = bus_emitter(bus, run_id="run-1", correlation_id="job-1")
    llm = make_llm(settings, deciders={"engineer": engineer}, emit=emit)
    conversation = Conversation(llm, agent_role="engineer", system="Size the beam.")
    conversation.tools.tool()(size_beam)
    conversation.add_user("Carry 50 N.")
    await conversation.run()

    sub = await bus.js.subscribe("arena.>", ordered_consumer=True)
    envelopes = []
    for _ in range(10):
        msg = await asyncio.wait_for(sub.next_msg(), 5)
        envelopes.append(decode(msg.subject, msg.data, msg.headers))
    await sub.unsubscribe()

    assert {e.run_id for e in envelopes} == {"run-1"}
    assert isinstance(envelopes[0].payload, LlmCallRequested)
    assert isinstance(envelopes[1].payload, LlmCallCompleted)
    assert envelopes[1].payload.request_hash == envelopes[0].payload.request_hash
    assert [e.type for e in envelopes].count("agent.tool.completed") == 1
