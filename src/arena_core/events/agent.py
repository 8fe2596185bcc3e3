"""Agent activity events: thoughts, tool calls and results, run budget and totals."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.llm import JsonObject
from arena_core.events.registry import event


class _AgentTurn(Payload):
    conversation_id: str = Field(min_length=1, max_length=128)
    """The conversation this belongs to."""
    turn_index: int = Field(ge=0)
    """The LLM call (turn) that led to it."""
    agent_role: str = Field(min_length=1, max_length=64)
    """Role of the agent: ``planner``, ``engineer``, ``critic``, ``generator``, ..."""


@event("agent.thought.recorded")
class AgentThoughtRecorded(_AgentTurn):
    """An agent's reasoning in words: model text beside tool calls, or an algorithm's note."""

    text: str
    """The thought, keys redacted."""
    source: Literal["llm", "algorithm"] = "llm"
    """``llm`` when the model wrote it, ``algorithm`` when agent code did."""


@event("agent.tool.called")
class AgentToolCalled(_AgentTurn):
    """An agent started running a tool the model asked for."""

    tool_use_id: str = Field(min_length=1, max_length=128)
    """Id of the model's ``tool_use`` block."""
    tool_name: str = Field(min_length=1, max_length=128)
    """Name of the tool."""
    arguments: JsonObject
    """Arguments as the model wrote them (before validation)."""


class ToolErrorKind(StrEnum):
    """Why a tool call ended in an error result."""

    unknown_tool = "unknown_tool"
    invalid_arguments = "invalid_arguments"
    tool_error = "tool_error"
    tool_crashed = "tool_crashed"


@event("agent.tool.completed")
class AgentToolCompleted(_AgentTurn):
    """A tool call finished; ``result`` is exactly what the model is sent back."""

    tool_use_id: str = Field(min_length=1, max_length=128)
    """Id of the model's ``tool_use`` block."""
    tool_name: str = Field(min_length=1, max_length=128)
    """Name of the tool."""
    arguments: JsonObject
    """Arguments as the model wrote them."""
    result: str
    """The tool's output as sent to the model (JSON text for structured results)."""
    is_error: bool = False
    """True when the call failed; ``error_kind`` says how."""
    error_kind: ToolErrorKind | None = None
    """Kind of failure, when ``is_error``."""
    duration_s: float = Field(ge=0)
    """Wall time the tool took."""


BudgetLimit = Literal["tokens", "cost_usd"]
"""Which budget limit a run hit."""


@event("run.budget.exceeded")
class RunBudgetExceeded(Payload):
    """A run spent more than its budget; the agent stops after this call."""

    limit: BudgetLimit
    """The limit that was crossed."""
    allowed: float = Field(ge=0)
    """The budget: tokens, or US dollars."""
    used: float = Field(ge=0)
    """What the run has used, in the same unit."""
    conversation_id: str = Field(min_length=1, max_length=128)
    """Conversation whose call crossed the limit."""
    turn_index: int = Field(ge=0)
    """The call that crossed the limit."""
    agent_role: str = Field(min_length=1, max_length=64)
    """Role of the agent that made the call."""


@event("run.totals.updated")
class RunTotalsUpdated(Payload):
    """Running totals of a run's spend, after each LLM call or simulation."""

    llm_calls: int = Field(ge=0)
    """LLM calls answered so far."""
    input_tokens: int = Field(ge=0)
    """Uncached input tokens."""
    output_tokens: int = Field(ge=0)
    """Generated tokens."""
    cache_read_tokens: int = Field(ge=0)
    """Input tokens served from the prompt cache."""
    cache_write_tokens: int = Field(ge=0)
    """Input tokens written to the prompt cache."""
    cost_usd: float = Field(ge=0)
    """Money spent on LLM calls."""
    llm_latency_s: float = Field(ge=0)
    """Sum of LLM call wall times."""
    sim_time_s: float = Field(ge=0)
    """Simulated seconds run by the simulator for this run."""
    tool_calls: int = Field(ge=0)
    """Tool calls made so far."""
