"""The ``offline`` policy: each agent role's own deterministic algorithm answers."""

from __future__ import annotations

import hashlib
import inspect
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeAlias

from pydantic import TypeAdapter, ValidationError

from arena_core.events.llm import AssistantBlock, LlmFailureReason, ToolUseBlock, Usage
from arena_core.llm.errors import LlmError
from arena_core.llm.policy import Policy
from arena_core.llm.request import LlmAnswer, LlmRequest, estimate_tokens

Decision: TypeAlias = Sequence[AssistantBlock]
"""The assistant's blocks: text and tool uses (a tool use makes the stop reason ``tool_use``)."""

Decider: TypeAlias = Callable[[LlmRequest, random.Random], Decision | Awaitable[Decision]]
"""An agent's algorithm: given the request and a seeded RNG, the assistant's next turn.

It must depend only on its arguments, so the same request and seed give the same answer.
"""

_BLOCKS = TypeAdapter(tuple[AssistantBlock, ...])


def tool_use_id(request: LlmRequest, index: int) -> str:
    """A deterministic id for the ``index``-th tool use a decider writes in this turn."""
    key = f"{request.conversation_id}/{request.turn_index}/{index}".encode()
    return "toolu_" + hashlib.sha256(key).hexdigest()[:24]


class OfflinePolicy(Policy):
    """Answers with the decider registered for the request's agent role.

    Usage is a deterministic estimate (bytes / 4) of the request and the answer; cost is 0.
    """

    name = "offline"

    def __init__(self, deciders: Mapping[str, Decider], *, seed: int = 0) -> None:
        self.deciders = dict(deciders)
        self.seed = seed

    async def complete(self, request: LlmRequest) -> LlmAnswer:
        decider = self.deciders.get(request.agent_role)
        if decider is None:
            raise LlmError(
                LlmFailureReason.no_decider,
                f"no offline decider for role {request.agent_role!r}; have {sorted(self.deciders)}",
            )
        # String seeds hash with SHA-512, so the stream is the same in every process.
        rng = random.Random(f"{self.seed}:{request.hash()}")
        try:
            decided = decider(request, rng)
            if inspect.isawaitable(decided):
                decided = await decided
            content = _BLOCKS.validate_python(tuple(decided))
        except LlmError:
            raise
        except ValidationError as exc:
            raise LlmError(
                LlmFailureReason.decider_error,
                f"{request.agent_role} decider returned invalid blocks: {exc}",
            ) from exc
        except Exception as exc:
            raise LlmError(
                LlmFailureReason.decider_error,
                f"{request.agent_role} decider raised {type(exc).__name__}: {exc}",
            ) from exc
        _check_decision(request, content)
        uses_tools = any(isinstance(block, ToolUseBlock) for block in content)
        answer_json = _BLOCKS.dump_json(content)
        return LlmAnswer(
            content=content,
            stop_reason="tool_use" if uses_tools else "end_turn",
            usage=Usage(
                input_tokens=estimate_tokens(request.canonical_json()),
                output_tokens=estimate_tokens(answer_json),
            ),
            cost_usd=0.0,
        )


def _check_decision(request: LlmRequest, content: tuple[AssistantBlock, ...]) -> None:
    if not content:
        raise LlmError(
            LlmFailureReason.decider_error, f"{request.agent_role} decider returned no blocks"
        )
    offered = {tool.name for tool in request.tools}
    seen: set[str] = set()
    for block in content:
        if not isinstance(block, ToolUseBlock):
            continue
        if block.name not in offered:
            raise LlmError(
                LlmFailureReason.decider_error,
                f"{request.agent_role} decider called tool {block.name!r}, "
                f"not offered ({sorted(offered)})",
            )
        if block.id in seen:
            raise LlmError(
                LlmFailureReason.decider_error,
                f"{request.agent_role} decider reused tool use id {block.id!r}",
            )
        seen.add(block.id)
