"""The LLM layer: one ``Llm`` interface over three policies, conversations, typed tools,
prompt templates.

- ``anthropic``: Claude through the Messages API (tool use, retries, prompt caching, cost).
- ``offline``: each agent role's deterministic algorithm (a ``Decider``) answers.
- ``replay``: answers from a recorded run, refusing requests that changed.

Every call emits ``llm.call.requested`` / ``llm.call.completed`` (or ``llm.call.failed``)
with secrets redacted, and spends from a ``RunBudget``.
"""

from typing import TYPE_CHECKING, Any

from arena_core.events.llm import (
    AssistantBlock,
    CallParameters,
    ContentBlock,
    LlmCallCompleted,
    Message,
    PromptRef,
    TextBlock,
    ToolResultBlock,
    ToolSchema,
    ToolUseBlock,
    Usage,
)
from arena_core.llm.budget import RunBudget, RunTotals
from arena_core.llm.client import Emit, Llm, bus_emitter
from arena_core.llm.conversation import Conversation, TurnLimitReached
from arena_core.llm.errors import BudgetExceeded, LlmConfigError, LlmError, ReplayMismatch
from arena_core.llm.factory import make_llm, make_policy, policy_name
from arena_core.llm.offline import Decider, Decision, OfflinePolicy, tool_use_id
from arena_core.llm.policy import Policy
from arena_core.llm.pricing import DEFAULT_PRICES, ModelPrice, PriceTable
from arena_core.llm.redact import REDACTED, Redactor
from arena_core.llm.replay import (
    InMemoryRecordedCalls,
    RecordedCall,
    RecordedCalls,
    ReplayPolicy,
)
from arena_core.llm.request import LlmAnswer, LlmRequest, estimate_tokens
from arena_core.llm.templates import (
    PromptRenderError,
    TemplateProblem,
    check_template,
    is_semver,
    render_prompt,
)
from arena_core.llm.tools import Tool, ToolError, ToolOutcome, ToolRegistry

if TYPE_CHECKING:
    from arena_core.llm.anthropic import AnthropicPolicy


def __getattr__(name: str) -> Any:
    # The anthropic SDK takes seconds to import; only processes that call Claude pay it.
    if name == "AnthropicPolicy":
        from arena_core.llm.anthropic import AnthropicPolicy

        return AnthropicPolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_PRICES",
    "REDACTED",
    "AnthropicPolicy",
    "AssistantBlock",
    "BudgetExceeded",
    "CallParameters",
    "ContentBlock",
    "Conversation",
    "Decider",
    "Decision",
    "Emit",
    "InMemoryRecordedCalls",
    "Llm",
    "LlmAnswer",
    "LlmCallCompleted",
    "LlmConfigError",
    "LlmError",
    "LlmRequest",
    "Message",
    "ModelPrice",
    "OfflinePolicy",
    "Policy",
    "PriceTable",
    "PromptRef",
    "PromptRenderError",
    "RecordedCall",
    "RecordedCalls",
    "Redactor",
    "ReplayMismatch",
    "ReplayPolicy",
    "RunBudget",
    "RunTotals",
    "TemplateProblem",
    "TextBlock",
    "Tool",
    "ToolError",
    "ToolOutcome",
    "ToolRegistry",
    "ToolResultBlock",
    "ToolSchema",
    "ToolUseBlock",
    "TurnLimitReached",
    "Usage",
    "bus_emitter",
    "check_template",
    "estimate_tokens",
    "is_semver",
    "make_llm",
    "make_policy",
    "policy_name",
    "render_prompt",
    "tool_use_id",
]
