"""Typed failures of the LLM layer."""

from __future__ import annotations

from arena_core.errors import ArenaError
from arena_core.events.agent import BudgetLimit
from arena_core.events.llm import LlmFailureReason


class LlmError(ArenaError):
    """A call produced no answer; ``reason`` says why (also the ``llm.call.failed`` reason)."""

    def __init__(
        self,
        reason: LlmFailureReason,
        detail: str,
        *,
        status_code: int | None = None,
        attempts: int = 1,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status_code = status_code
        self.attempts = attempts
        self.retry_after_s = retry_after_s
        """How long the server asked us to wait before retrying, if it said."""


class ReplayMismatch(LlmError):
    """A replayed request differs from the recorded one at the same conversation and turn."""

    def __init__(
        self,
        conversation_id: str,
        turn_index: int,
        recorded_hash: str,
        request_hash: str,
        *,
        detail: str = "",
    ) -> None:
        super().__init__(
            LlmFailureReason.replay_mismatch,
            f"conversation {conversation_id} turn {turn_index}: request hash {request_hash} "
            f"differs from the recorded {recorded_hash} (system, messages or tools changed)"
            + (f"\n{detail}" if detail else ""),
        )
        self.conversation_id = conversation_id
        self.turn_index = turn_index
        self.recorded_hash = recorded_hash
        self.request_hash = request_hash


class BudgetExceeded(ArenaError):
    """A run crossed its token or dollar budget; the agent must stop."""

    def __init__(self, limit: BudgetLimit, allowed: float, used: float) -> None:
        unit = "tokens" if limit == "tokens" else "USD"
        super().__init__(f"run budget exceeded: {used:g} {unit} used, {allowed:g} allowed")
        self.limit: BudgetLimit = limit
        self.allowed = allowed
        self.used = used


class LlmConfigError(ArenaError, ValueError):
    """The settings cannot build the selected policy (missing key, recording, deciders)."""
