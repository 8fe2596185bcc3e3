"""The ``replay`` policy: answers from a recorded run, refusing requests that changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import orjson
from pydantic import BaseModel, ConfigDict, Field

from arena_core.events import Payload
from arena_core.events.llm import (
    AssistantBlock,
    LlmCallCompleted,
    LlmFailureReason,
    StopReason,
    Usage,
)
from arena_core.llm.errors import LlmError, ReplayMismatch
from arena_core.llm.policy import Policy
from arena_core.llm.request import LlmAnswer, LlmRequest


class RecordedCall(BaseModel):
    """One answered call of a recorded run, keyed by conversation and turn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    conversation_id: str = Field(min_length=1)
    """Conversation of the call."""
    turn_index: int = Field(ge=0)
    """Turn of the call."""
    request_hash: str
    """Canonical hash of the recorded request (``LlmRequest.hash``)."""
    model: str
    """Model that answered."""
    content: tuple[AssistantBlock, ...]
    """The recorded answer."""
    stop_reason: StopReason
    """The recorded stop reason."""
    usage: Usage
    """Tokens the original call consumed."""
    cost_usd: float = Field(ge=0)
    """What the original call cost ; a replay spends it again so budgets stop it alike."""

    @classmethod
    def from_completed(cls, completed: LlmCallCompleted) -> RecordedCall:
        """The completed call's fields of the same names."""
        return cls(**{name: getattr(completed, name) for name in cls.model_fields})


class RecordedCalls(Protocol):
    """Where a replay finds recorded answers (in memory, a JSONL file, the SQLite recording)."""

    def get(self, conversation_id: str, turn_index: int) -> RecordedCall | None:
        """The call recorded at this conversation and turn, or None."""
        ...


class InMemoryRecordedCalls:
    """Recorded calls held in a dict; also captures calls as they are emitted."""

    def __init__(self, calls: Iterable[RecordedCall] = ()) -> None:
        self._calls: dict[tuple[str, int], RecordedCall] = {}
        for call in calls:
            self.add(call)

    def add(self, call: RecordedCall) -> None:
        self._calls[call.conversation_id, call.turn_index] = call

    def get(self, conversation_id: str, turn_index: int) -> RecordedCall | None:
        return self._calls.get((conversation_id, turn_index))

    def mismatch(self, conversation_id: str, turn_index: int, request: dict[str, Any]) -> str:
        """What differs from the recorded request (empty: requests are not kept here)."""
        return ""

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(sorted(self._calls.values(), key=lambda c: (c.conversation_id, c.turn_index)))

    def capture(
        self, emit: Callable[[Payload], Awaitable[object]]
    ) -> Callable[[Payload], Awaitable[object]]:
        """An emitter that forwards to ``emit`` and records every ``llm.call.completed``."""

        async def capturing(payload: Payload) -> object:
            if isinstance(payload, LlmCallCompleted):
                self.add(RecordedCall.from_completed(payload))
            return await emit(payload)

        return capturing

    def write_jsonl(self, path: Path) -> None:
        """Save as JSONL, one ``RecordedCall`` per line, in conversation and turn order."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for call in self:
                out.write(call.model_dump_json() + "\n")

    @classmethod
    def read_jsonl(cls, path: Path) -> InMemoryRecordedCalls:
        """Load a JSONL recording; a bad line raises ``ValueError`` naming its number."""
        calls = []
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    calls.append(RecordedCall.model_validate_json(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: not a recorded call: {exc}") from exc
        return cls(calls)


class ReplayPolicy(Policy):
    """Answers each request with the call recorded at its conversation and turn.

    The request must hash exactly like the recorded one; otherwise the replay has
    diverged and ``ReplayMismatch`` says where.
    """

    name = "replay"

    def __init__(self, recorded: RecordedCalls) -> None:
        self.recorded = recorded

    async def complete(self, request: LlmRequest) -> LlmAnswer:
        call = self.recorded.get(request.conversation_id, request.turn_index)
        if call is None:
            raise LlmError(
                LlmFailureReason.replay_missing,
                f"no recorded call for conversation {request.conversation_id} "
                f"turn {request.turn_index}",
            )
        request_hash = request.hash()
        if call.request_hash != request_hash:
            detail = ""
            if isinstance(self.recorded, InMemoryRecordedCalls):
                sent = orjson.loads(request.canonical_json())
                detail = self.recorded.mismatch(request.conversation_id, request.turn_index, sent)
            raise ReplayMismatch(
                request.conversation_id, request.turn_index, call.request_hash, request_hash,
                detail=detail,
            )  # fmt: skip
        return LlmAnswer(
            content=call.content,
            stop_reason=call.stop_reason,
            usage=call.usage,
            cost_usd=call.cost_usd,
        )
