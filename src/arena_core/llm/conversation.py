"""``Conversation``: the message list of one agent thread and its tool-use loop."""

from __future__ import annotations

import time
from typing import Literal

from arena_core.errors import ArenaError
from arena_core.events.agent import AgentThoughtRecorded, AgentToolCalled, AgentToolCompleted
from arena_core.events.llm import (
    CallParameters,
    ContentBlock,
    LlmCallCompleted,
    Message,
    PromptRef,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from arena_core.ids import bounded, new_id
from arena_core.llm.client import Llm
from arena_core.llm.tools import ToolRegistry


class TurnLimitReached(ArenaError, RuntimeError):
    """The model kept calling tools past the conversation's turn limit."""

    def __init__(self, conversation_id: str, max_turns: int) -> None:
        super().__init__(
            f"conversation {conversation_id} still calling tools after {max_turns} turns"
        )
        self.conversation_id = conversation_id
        self.max_turns = max_turns


class Conversation:
    """One agent thread: keeps the messages, numbers the turns, runs the tools.

    The conversation id must be deterministic (derived from the job) for a recorded
    run to replay: the replay policy finds answers by conversation id and turn index.
    """

    def __init__(
        self,
        llm: Llm,
        *,
        agent_role: str,
        system: str,
        tools: ToolRegistry | None = None,
        prompt: PromptRef | None = None,
        conversation_id: str | None = None,
        model: str | None = None,
        parameters: CallParameters | None = None,
    ) -> None:
        self.llm = llm
        self.agent_role = agent_role
        self.system = system
        self.tools = tools or ToolRegistry()
        self.prompt = prompt
        self.conversation_id = bounded(conversation_id) if conversation_id else new_id()
        self.model = model
        self.parameters = parameters
        self.messages: list[Message] = []
        self.turn_index = 0
        """Index of the next LLM call."""

    def add_user(self, *content: str | ContentBlock) -> None:
        """Append a user message (strings become text blocks)."""
        blocks = tuple(TextBlock(text=c) if isinstance(c, str) else c for c in content)
        self.messages.append(Message(role="user", content=blocks))

    async def send(self) -> LlmCallCompleted:
        """Ask for the next assistant turn and append it; its text is recorded as thoughts."""
        if not self.messages or self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's before asking the model")
        reply = await self.llm.call(
            conversation_id=self.conversation_id,
            turn_index=self.turn_index,
            agent_role=self.agent_role,
            system=self.system,
            messages=self.messages,
            tools=self.tools.schemas(),
            prompt=self.prompt,
            model=self.model,
            parameters=self.parameters,
        )
        turn = self.turn_index
        self.turn_index += 1
        if reply.content:
            self.messages.append(Message(role="assistant", content=reply.content))
        for block in reply.content:
            if isinstance(block, TextBlock) and block.text.strip():
                await self.llm.emit(self._thought(turn, block.text, "llm"))
        return reply

    async def think(self, text: str) -> None:
        """Record an agent algorithm's own reasoning as ``agent.thought.recorded``."""
        await self.llm.emit(self._thought(max(self.turn_index - 1, 0), text, "algorithm"))

    async def run_tools(self, reply: LlmCallCompleted) -> list[ToolResultBlock]:
        """Run every tool use of ``reply`` in order and append their results as a user turn."""
        turn = self.turn_index - 1
        results = []
        for call in reply.content:
            if not isinstance(call, ToolUseBlock):
                continue
            identity = {
                "conversation_id": self.conversation_id,
                "turn_index": turn,
                "agent_role": self.agent_role,
                "tool_use_id": call.id,
                "tool_name": call.name,
                "arguments": call.input,
            }
            await self.llm.emit(AgentToolCalled(**identity))
            started = time.perf_counter()
            outcome = await self.tools.execute(call)
            await self.llm.emit(
                AgentToolCompleted(
                    **identity,
                    result=outcome.result,
                    is_error=outcome.is_error,
                    error_kind=outcome.error_kind,
                    duration_s=time.perf_counter() - started,
                )
            )
            self.llm.budget.record_tool_call()
            results.append(
                ToolResultBlock(
                    tool_use_id=call.id,
                    content=self.llm.redactor.text(outcome.result),
                    is_error=outcome.is_error,
                )
            )
        if results:
            self.messages.append(Message(role="user", content=tuple(results)))
        return results

    async def run(self, *, max_turns: int = 20) -> LlmCallCompleted:
        """Send, run the requested tools, and repeat until the model stops calling tools.

        Returns the final reply; raises ``TurnLimitReached`` after ``max_turns`` calls
        that all asked for tools.
        """
        for _ in range(max_turns):
            reply = await self.send()
            if not reply.tool_uses:
                return reply
            await self.run_tools(reply)
        raise TurnLimitReached(self.conversation_id, max_turns)

    def _thought(
        self, turn: int, text: str, source: Literal["llm", "algorithm"]
    ) -> AgentThoughtRecorded:
        return AgentThoughtRecorded(
            conversation_id=self.conversation_id,
            turn_index=turn,
            agent_role=self.agent_role,
            text=text,
            source=source,
        )
