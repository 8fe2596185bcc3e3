"""API keys never reach events or the model, even when pasted into a prompt."""

from __future__ import annotations

from arena_core.events.llm import Message, TextBlock
from arena_core.llm import REDACTED, make_llm
from arena_core.settings import Settings
from tests.llm.conftest import API_KEY, Emitted
from tests.llm.fake_messages_api import FakeMessagesApi, message


async def test_a_key_in_a_prompt_is_redacted_from_events_and_the_request(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.default = lambda body: message(
        [{"type": "text", "text": f"Your key is {API_KEY}"}]
    )
    llm = make_llm(anthropic_settings, emit=emitted)
    try:
        reply = await llm.call(
            conversation_id="c",
            turn_index=0,
            agent_role="engineer",
            system=f"Use api_key={API_KEY} for the vendor.",
            messages=[Message(role="user", content=(TextBlock(text=f"key: {API_KEY}"),))],
        )
    finally:
        await llm.aclose()

    dumped = "".join(e.model_dump_json() for e in emitted.events)
    assert API_KEY not in dumped
    assert REDACTED in dumped
    assert API_KEY not in reply.text
    sent = messages_api.received[0].body
    assert API_KEY not in str(sent["system"]) + str(sent["messages"])


async def test_a_key_shaped_string_is_redacted_without_being_configured(
    offline_settings: Settings, emitted: Emitted
) -> None:
    stray = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"

    def echo(request: object, rng: object) -> list[TextBlock]:
        return [TextBlock(text="ok")]

    llm = make_llm(offline_settings, deciders={"scribe": echo}, emit=emitted)
    await llm.call(
        conversation_id="c",
        turn_index=0,
        agent_role="scribe",
        system="s",
        messages=[Message(role="user", content=(TextBlock(text=stray),))],
    )

    assert stray not in "".join(e.model_dump_json() for e in emitted.events)
