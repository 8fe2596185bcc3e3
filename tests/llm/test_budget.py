"""A run's budget: crossing it stops the run with an event and a typed exception."""

from __future__ import annotations

import pytest

from arena_core.events.agent import RunBudgetExceeded, RunTotalsUpdated
from arena_core.events.llm import LlmCallRequested, Message, TextBlock
from arena_core.llm import BudgetExceeded, Llm, RunBudget, make_llm
from arena_core.settings import Settings
from tests.llm.conftest import Emitted
from tests.llm.deciders import chatty
from tests.llm.fake_messages_api import FakeMessagesApi, message

USER = [Message(role="user", content=(TextBlock(text="hello"),))]


async def ask(llm: Llm, turn: int) -> None:
    await llm.call(
        conversation_id="c", turn_index=turn, agent_role="scribe", system="s", messages=USER
    )


async def test_crossing_the_token_budget_emits_the_event_and_raises(
    offline_settings: Settings, emitted: Emitted
) -> None:
    llm = make_llm(
        offline_settings,
        deciders={"scribe": chatty},
        emit=emitted,
        budget=RunBudget(max_tokens=60),
    )
    await ask(llm, 0)

    with pytest.raises(BudgetExceeded) as caught:
        await ask(llm, 1)

    assert caught.value.limit == "tokens"
    exceeded = emitted.of(RunBudgetExceeded)
    assert [(e.limit, e.allowed, e.turn_index) for e in exceeded] == [("tokens", 60.0, 1)]
    assert exceeded[0].used == llm.budget.totals.tokens > 60


async def test_a_spent_budget_refuses_the_next_call_before_asking(
    offline_settings: Settings, emitted: Emitted
) -> None:
    llm = make_llm(
        offline_settings, deciders={"scribe": chatty}, emit=emitted, budget=RunBudget(max_tokens=1)
    )
    with pytest.raises(BudgetExceeded):
        await ask(llm, 0)
    asked = len(emitted.of(LlmCallRequested))

    with pytest.raises(BudgetExceeded):
        await ask(llm, 1)

    assert len(emitted.of(LlmCallRequested)) == asked == 1


async def test_the_dollar_budget_counts_priced_calls(
    anthropic_settings: Settings, messages_api: FakeMessagesApi, emitted: Emitted
) -> None:
    messages_api.default = lambda body: message(
        [{"type": "text", "text": "ok"}], input_tokens=100_000, output_tokens=10_000
    )
    settings = anthropic_settings.model_copy(update={"run_max_cost_usd": 0.5})
    llm = make_llm(settings, emit=emitted)
    try:
        with pytest.raises(BudgetExceeded) as caught:
            for turn in range(10):
                await ask(llm, turn)
    finally:
        await llm.aclose()

    # Each call costs 100k * $3 + 10k * $15 per MTok = $0.45: the second crosses $0.50.
    assert caught.value.limit == "cost_usd"
    assert caught.value.used == pytest.approx(0.9)
    assert len(messages_api.received) == 2


async def test_totals_are_emitted_after_every_call(
    offline_settings: Settings, emitted: Emitted
) -> None:
    llm = make_llm(offline_settings, deciders={"scribe": chatty}, emit=emitted)

    await ask(llm, 0)
    await ask(llm, 1)

    totals = emitted.of(RunTotalsUpdated)
    assert [t.llm_calls for t in totals] == [1, 2]
    assert totals[-1].input_tokens == llm.budget.totals.input_tokens
