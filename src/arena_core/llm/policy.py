"""The one interface every LLM policy implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from arena_core.llm.request import LlmAnswer, LlmRequest
from arena_core.settings import LlmPolicyName


class Policy(ABC):
    """Answers an ``LlmRequest`` with the assistant's next turn.

    Policies only answer; the ``Llm`` client around them emits the events, redacts
    secrets and enforces the budget, so every policy is observed the same way.
    """

    name: ClassVar[LlmPolicyName]

    @abstractmethod
    async def complete(self, request: LlmRequest) -> LlmAnswer:
        """The answer, or ``LlmError`` with a typed reason."""

    async def aclose(self) -> None:  # noqa: B027 (most policies hold nothing to release)
        """Release connections (the HTTP client of the ``anthropic`` policy)."""
