"""``Llm``: the one way agents call a model, whatever policy answers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias

from arena_core.bus import Bus
from arena_core.events import AgentRef, Envelope, Payload
from arena_core.events.agent import RunBudgetExceeded
from arena_core.events.llm import (
    CallParameters,
    LlmCallCompleted,
    LlmCallFailed,
    LlmCallRequested,
    Message,
    PromptRef,
    ToolSchema,
)
from arena_core.llm.budget import RunBudget
from arena_core.llm.errors import BudgetExceeded, LlmError
from arena_core.llm.policy import Policy
from arena_core.llm.redact import Redactor
from arena_core.llm.request import LlmRequest
from arena_core.settings import LlmPolicyName

Emit: TypeAlias = Callable[[Payload], Awaitable[object]]
"""Publishes an event for the caller: ``Delivery.emit`` in a handler, or a bus publisher."""


def bus_emitter(
    bus: Bus,
    *,
    run_id: str,
    correlation_id: str,
    causation_id: str | None = None,
    agent: AgentRef | None = None,
) -> Emit:
    """An ``Emit`` that publishes each event on the bus in one run and thread.

    Inside a handler use ``delivery.emit`` instead: it also sets causation and ids that
    make a redelivered handler's events de-duplicate.
    """

    async def publish(payload: Payload) -> int:
        envelope = Envelope.new(
            payload,
            run_id=run_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            agent=agent,
        )
        return await bus.publish(envelope)

    return publish


class Llm:
    """Calls a policy and makes every call observable and bounded.

    Each call emits ``llm.call.requested`` then ``llm.call.completed`` (or
    ``llm.call.failed``) with secrets redacted, adds the spend to the run budget, emits
    ``run.totals.updated``, and stops the run with ``run.budget.exceeded`` and
    ``BudgetExceeded`` once the budget is crossed. Secrets are redacted from the request
    before the policy sees it, so a key pasted into a prompt never leaves the process.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        model: str,
        parameters: CallParameters,
        emit: Emit | None = None,
        budget: RunBudget | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.policy = policy
        self.model = model
        self.parameters = parameters
        self.budget = budget or RunBudget()
        self.redactor = Redactor(secrets)
        self._emit = emit

    @property
    def policy_name(self) -> LlmPolicyName:
        return self.policy.name

    def bind(self, emit: Emit, budget: RunBudget | None = None) -> Llm:
        """The same policy and defaults, emitting through ``emit`` and spending ``budget``.

        A service builds one ``Llm`` at start-up and binds it to each job it handles.
        """
        bound = Llm(
            self.policy,
            model=self.model,
            parameters=self.parameters,
            emit=emit,
            budget=budget
            or RunBudget(max_tokens=self.budget.max_tokens, max_cost_usd=self.budget.max_cost_usd),
        )
        bound.redactor = self.redactor
        return bound

    async def emit(self, payload: Payload) -> None:
        """Publish an event with secrets redacted."""
        if self._emit is None:
            raise RuntimeError("this Llm has no emitter: use llm.bind(delivery.emit)")
        await self._emit(self.redactor.model(payload))

    async def call(
        self,
        *,
        conversation_id: str,
        turn_index: int,
        agent_role: str,
        system: str,
        messages: Sequence[Message],
        tools: Sequence[ToolSchema] = (),
        prompt: PromptRef | None = None,
        model: str | None = None,
        parameters: CallParameters | None = None,
    ) -> LlmCallCompleted:
        """Ask for the next assistant turn; return the (redacted) completed event.

        Raises ``LlmError`` when the policy gives no answer and ``BudgetExceeded`` when
        the run's budget was already spent or this call crossed it.
        """
        request = self.redactor.model(
            LlmRequest(
                conversation_id=conversation_id,
                turn_index=turn_index,
                agent_role=agent_role,
                prompt=prompt,
                model=model or self.model,
                parameters=parameters or self.parameters,
                system=system,
                messages=tuple(messages),
                tools=tuple(tools),
            )
        )
        await self._stop_if_over_budget(request)
        request_hash = request.hash()
        identity = {
            "conversation_id": request.conversation_id,
            "turn_index": request.turn_index,
            "agent_role": request.agent_role,
            "prompt": request.prompt,
            "model": request.model,
            "policy": self.policy.name,
            "request_hash": request_hash,
        }
        await self.emit(
            LlmCallRequested(
                **identity,
                parameters=request.parameters,
                system=request.system,
                messages=request.messages,
                tools=request.tools,
            )
        )
        started = time.perf_counter()
        try:
            answer = await self.policy.complete(request)
        except LlmError as exc:
            await self.emit(
                LlmCallFailed(
                    **identity,
                    reason=exc.reason,
                    detail=self.redactor.text(exc.detail)[:8192],
                    status_code=exc.status_code,
                    attempts=exc.attempts,
                    latency_s=time.perf_counter() - started,
                )
            )
            raise
        latency = time.perf_counter() - started
        completed = self.redactor.model(
            LlmCallCompleted(
                **identity,
                content=answer.content,
                stop_reason=answer.stop_reason,
                usage=answer.usage,
                cost_usd=answer.cost_usd,
                latency_s=latency,
                attempts=answer.attempts,
            )
        )
        await self.emit(completed)
        self.budget.record_call(answer.usage, answer.cost_usd, latency)
        await self.emit(self.budget.totals.event())
        await self._stop_if_over_budget(request)
        return completed

    async def _stop_if_over_budget(self, request: LlmRequest) -> None:
        over = self.budget.exceeded()
        if over is None:
            return
        limit, allowed, used = over
        await self.emit(
            RunBudgetExceeded(
                limit=limit,
                allowed=allowed,
                used=used,
                conversation_id=request.conversation_id,
                turn_index=request.turn_index,
                agent_role=request.agent_role,
            )
        )
        raise BudgetExceeded(limit, allowed, used)

    async def aclose(self) -> None:
        await self.policy.aclose()
