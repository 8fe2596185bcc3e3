"""The anthropic policy against a Messages API server on loopback."""

from __future__ import annotations

import pytest

from arena_core.events.llm import (
    LlmCallCompleted,
    LlmCallFailed,
    LlmCallRequested,
    LlmFailureReason,
    Message,
    TextBlock,
    ToolSchema,
    ToolUseBlock,
)
from arena_core.llm import AnthropicPolicy, CallParameters, LlmError, LlmRequest, make_llm
from arena_core.settings import Settings
from tests.llm.conftest import API_KEY, Emitted
from tests.llm.fake_messages_api import FakeMessagesApi, Reply, api_error, message

USER = (Message(role="user", content=(TextBlock(text="Design a lever."),)),)
TOOLS = (
    ToolSchema(
        name="run_cad",
        description="Run build123d code.",
        input_schema={"type": "object", "properties": {"code": {"type": "string"}}},
    ),
    ToolSchema(
        name="estimate_cost",
        description="Estimate part cost.",
        input_schema={"type": "object", "properties": {}},
    ),
)


async def call(settings: Settings, emitted: Emitted) -> LlmCallCompleted:
    llm = make_llm(settings, emit=emitted)
    try:
        return await llm.call(
            conversation_id="conv-1",
            turn_index=0,
            agent_role="engineer",
            system="You are an engineer.",
            messages=USER,
            tools=TOOLS,
        )
    finally:
        await llm.aclose()


async def test_a_tool_use_answer_is_parsed_priced_and_emitted(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.script = [
        message(
            [
                {"type": "text", "text": "I will model it."},
                {"type": "tool_use", "id": "toolu_1", "name": "run_cad", "input": {"code": "x"}},
            ],
            stop_reason="tool_use",
            input_tokens=1000,
            output_tokens=200,
            cache_read_input_tokens=3000,
            cache_creation_input_tokens=400,
        )
    ]

    reply = await call(anthropic_settings, emitted)

    assert reply.tool_uses == (ToolUseBlock(id="toolu_1", name="run_cad", input={"code": "x"}),)
    assert reply.stop_reason == "tool_use"
    assert reply.policy == "anthropic"
    # claude-sonnet-4-6: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok.
    expected = (1000 * 3 + 200 * 15 + 3000 * 0.3 + 400 * 3.75) / 1e6
    assert reply.cost_usd == pytest.approx(expected)
    assert reply.usage.cache_read_tokens == 3000
    assert emitted.types[:2] == ["llm.call.requested", "llm.call.completed"]
    requested = emitted.of(LlmCallRequested)[0]
    assert requested.request_hash == reply.request_hash
    assert requested.tools == TOOLS


async def test_the_static_prefix_is_marked_for_prompt_caching(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    await call(anthropic_settings, emitted)

    body = messages_api.received[0].body
    assert body["system"] == [
        {"type": "text", "text": "You are an engineer.", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in body["tools"][0]


async def test_requests_carry_the_key_version_and_model(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    await call(anthropic_settings, emitted)

    received = messages_api.received[0]
    assert received.path == "/v1/messages"
    auth = received.headers.get("x-api-key") or received.headers.get("authorization", "")
    assert auth.endswith(API_KEY)
    assert received.headers["anthropic-version"]
    assert received.headers["content-type"] == "application/json"
    assert received.body["model"] == "claude-sonnet-4-6"
    assert received.body["max_tokens"] == 4096


async def test_a_rate_limit_is_retried_until_success(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.script = [api_error(429, "rate_limit_error", {"retry-after": "0"})]

    reply = await call(anthropic_settings, emitted)

    assert reply.attempts == 2
    assert len(messages_api.received) == 2


async def test_overloaded_529_is_retried(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.script = [api_error(529, "overloaded_error"), api_error(529, "overloaded_error")]

    reply = await call(anthropic_settings, emitted)

    assert reply.attempts == 3


async def test_persistent_server_errors_fail_with_a_typed_reason_after_the_retries(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.default = lambda body: api_error(500, "api_error")

    with pytest.raises(LlmError) as caught:
        await call(anthropic_settings, emitted)

    assert caught.value.reason is LlmFailureReason.server_error
    assert len(messages_api.received) == 1 + anthropic_settings.llm_max_retries
    failed = emitted.of(LlmCallFailed)
    assert [(f.reason, f.status_code, f.attempts) for f in failed] == [
        (LlmFailureReason.server_error, 500, 3)
    ]
    assert emitted.of(LlmCallCompleted) == []


async def test_a_malformed_body_fails_without_retrying(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.script = [Reply(200, b'{"type": "message", "content": [')]

    with pytest.raises(LlmError) as caught:
        await call(anthropic_settings, emitted)

    assert caught.value.reason is LlmFailureReason.malformed_response
    assert len(messages_api.received) == 1
    assert emitted.of(LlmCallFailed)[0].reason is LlmFailureReason.malformed_response


async def test_a_bad_request_is_not_retried(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.script = [api_error(400, "invalid_request_error")]

    with pytest.raises(LlmError) as caught:
        await call(anthropic_settings, emitted)

    assert caught.value.reason is LlmFailureReason.bad_request
    assert len(messages_api.received) == 1


async def test_a_model_without_a_price_fails_before_any_request(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    settings = anthropic_settings.model_copy(update={"llm_model": "gpt-imaginary"})

    with pytest.raises(LlmError) as caught:
        await call(settings, emitted)

    assert caught.value.reason is LlmFailureReason.unknown_model
    assert messages_api.received == []


async def test_the_server_retry_after_sets_the_wait(messages_api: FakeMessagesApi) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    messages_api.script = [api_error(429, "rate_limit_error", {"retry-after": "7"})]
    policy = AnthropicPolicy(
        API_KEY, base_url=messages_api.url, retry_base_s=0.5, retry_max_s=10, sleep=sleep
    )
    request = LlmRequest(
        conversation_id="c",
        turn_index=0,
        agent_role="engineer",
        model="claude-haiku-4-5",
        parameters=CallParameters(max_tokens=10),
        system="s",
        messages=USER,
    )
    try:
        answer = await policy.complete(request)
    finally:
        await policy.aclose()

    assert waits == [7.0]
    assert answer.attempts == 2


async def test_a_server_too_slow_to_answer_is_a_timeout(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    slow = message([{"type": "text", "text": "late"}])
    messages_api.default = lambda body: Reply(slow.status, slow.body, delay_s=1.0)
    settings = anthropic_settings.model_copy(update={"llm_timeout_s": 0.1, "llm_max_retries": 1})

    with pytest.raises(LlmError) as caught:
        await call(settings, emitted)

    assert caught.value.reason is LlmFailureReason.timeout
    assert caught.value.attempts == 2


async def test_an_unreachable_server_is_a_connection_failure(
    anthropic_settings: Settings, emitted: Emitted
) -> None:
    # Port 9 (discard) is closed on loopback: the connection is refused at once.
    settings = anthropic_settings.model_copy(
        update={"anthropic_base_url": "http://127.0.0.1:9", "llm_max_retries": 0}
    )

    with pytest.raises(LlmError) as caught:
        await call(settings, emitted)

    assert caught.value.reason is LlmFailureReason.connection


async def test_the_configured_temperature_reaches_the_api(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    """The SDK takes no ``temperature`` argument any more: it must still be sent."""
    warm = anthropic_settings.model_copy(update={"llm_temperature": 0.3})
    reply = await call(warm, emitted)

    assert reply.stop_reason == "end_turn"
    body = messages_api.received[0].body
    assert body["temperature"] == 0.3
    assert body["model"] == "claude-sonnet-4-6" and "extra_body" not in body
    assert emitted.of(LlmCallRequested)[0].parameters.temperature == 0.3
