"""The ``anthropic`` policy: Claude through the Messages API with tool use."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import anthropic
from pydantic import BaseModel, ConfigDict, ValidationError

from arena_core.events.llm import (
    TRANSIENT_LLM_FAILURES,
    AssistantBlock,
    LlmFailureReason,
    StopReason,
    Usage,
)
from arena_core.llm.errors import LlmError
from arena_core.llm.policy import Policy
from arena_core.llm.pricing import DEFAULT_PRICES, PriceTable
from arena_core.llm.request import LlmAnswer, LlmRequest

_CACHE_POINT = {"type": "ephemeral"}


class _ApiUsage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None


class _ApiMessage(BaseModel):
    """The part of a Messages API response we rely on (new fields are ignored)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["message"]
    content: tuple[AssistantBlock, ...]
    stop_reason: StopReason
    usage: _ApiUsage


class AnthropicPolicy(Policy):
    """Asks Claude. Retries 429, 5xx, 529, timeouts and dropped connections with backoff.

    The system prompt and the tool definitions are marked as the cacheable prefix
    (``cache_control``), so later turns of a conversation read them from the cache.
    """

    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout_s: float = 120.0,
        max_retries: int = 4,
        retry_base_s: float = 1.0,
        retry_max_s: float = 30.0,
        prompt_cache: bool = True,
        prices: PriceTable = DEFAULT_PRICES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # Retries are ours, not the SDK's, so attempts are counted and reported.
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )
        self.max_retries = max_retries
        self.retry_base_s = retry_base_s
        self.retry_max_s = retry_max_s
        self.prompt_cache = prompt_cache
        self.prices = prices
        self._sleep = sleep

    def request_body(self, request: LlmRequest) -> dict[str, Any]:
        """The Messages API body for ``request``."""
        params = request.parameters
        system: dict[str, Any] = {"type": "text", "text": request.system}
        tools: list[dict[str, Any]] = [t.model_dump(mode="json") for t in request.tools]
        if self.prompt_cache:
            system["cache_control"] = _CACHE_POINT
            if tools:
                tools[-1]["cache_control"] = _CACHE_POINT
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": params.max_tokens,
            "system": [system] if request.system else [],
            "messages": [m.model_dump(mode="json") for m in request.messages],
        }
        if not request.system:
            del body["system"]
        if tools:
            body["tools"] = tools
        if params.temperature is not None:
            body["temperature"] = params.temperature
        if params.top_p is not None:
            body["top_p"] = params.top_p
        if params.stop_sequences:
            body["stop_sequences"] = list(params.stop_sequences)
        return body

    async def complete(self, request: LlmRequest) -> LlmAnswer:
        price = self.prices.for_model(request.model)
        body = self.request_body(request)
        attempt = 0
        while True:
            attempt += 1
            try:
                message = await self._attempt(body)
            except LlmError as exc:
                exc.attempts = attempt
                if exc.reason not in TRANSIENT_LLM_FAILURES or attempt > self.max_retries:
                    raise
                await self._sleep(self._delay(attempt, exc.retry_after_s))
                continue
            usage = Usage(
                input_tokens=message.usage.input_tokens,
                output_tokens=message.usage.output_tokens,
                cache_read_tokens=message.usage.cache_read_input_tokens or 0,
                cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
            )
            return LlmAnswer(
                content=message.content,
                stop_reason=message.stop_reason,
                usage=usage,
                cost_usd=price.cost(usage),
                attempts=attempt,
            )

    async def _attempt(self, body: dict[str, Any]) -> _ApiMessage:
        try:
            raw = await self._client.messages.with_raw_response.create(**_sdk_arguments(body))
            text = await raw.text()
        except anthropic.APIStatusError as exc:
            raise _status_error(exc) from exc
        except anthropic.APITimeoutError as exc:
            raise LlmError(LlmFailureReason.timeout, str(exc)) from exc
        except anthropic.APIConnectionError as exc:
            raise LlmError(LlmFailureReason.connection, str(exc)) from exc
        try:
            return _ApiMessage.model_validate_json(text)
        except ValidationError as exc:
            raise LlmError(
                LlmFailureReason.malformed_response,
                f"response is not a Messages API message: {exc.errors()[0]['msg']}; "
                f"body starts {text[:200]!r}",
                status_code=raw.status_code,
            ) from exc

    def _delay(self, attempt: int, retry_after_s: float | None) -> float:
        backoff = float(self.retry_base_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
        if retry_after_s is not None:
            backoff = max(backoff, retry_after_s)
        return min(backoff, self.retry_max_s)

    async def aclose(self) -> None:
        await self._client.close()


_SAMPLING = ("temperature", "top_p", "top_k")
"""Sampling parameters: the SDK (1.0 on) no longer takes them as arguments of
``messages.create``; they travel in ``extra_body``, which reaches the request JSON unchanged."""


def _sdk_arguments(body: dict[str, Any]) -> dict[str, Any]:
    """``messages.create`` arguments that send exactly ``body``."""
    arguments = {k: v for k, v in body.items() if k not in _SAMPLING}
    sampling = {k: body[k] for k in _SAMPLING if k in body}
    if sampling:
        arguments["extra_body"] = sampling
    return arguments


def _status_error(exc: anthropic.APIStatusError) -> LlmError:
    status = exc.status_code
    if status == 429:
        reason = LlmFailureReason.rate_limited
    elif status == 529:
        reason = LlmFailureReason.overloaded
    elif status >= 500:
        reason = LlmFailureReason.server_error
    elif status in (401, 403):
        reason = LlmFailureReason.authentication
    else:
        reason = LlmFailureReason.bad_request
    return LlmError(
        reason,
        f"HTTP {status}: {exc.message}",
        status_code=status,
        retry_after_s=_retry_after(exc.response.headers.get("retry-after")),
    )


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
