"""``sft-trl``: TRL's conversational tool-calling format, one row per conversation.

``{"messages", "tools", "provenance"}`` as TRL's trainers and chat templates take them:
tool-call ``arguments`` as objects, tool messages named by their tool, ``tools`` as
function JSON Schemas with ``parameters`` as objects.
"""

from __future__ import annotations

from typing import Any

from arena_core.export import openai
from arena_core.export.conversations import Rollout, provenance


def chat(rollout: Rollout) -> list[dict[str, Any]]:
    """The rollout's system text and messages as TRL takes them (also ``grpo``'s)."""
    return list(
        openai.messages(
            rollout.request["system"],
            openai.history(rollout),
            arguments_as_text=False,
            tool_names=True,
        )
    )


def row(rollout: Rollout) -> dict[str, Any]:
    """One ``sft-trl`` row."""
    return {
        "messages": chat(rollout),
        "tools": openai.tools(rollout.request["tools"]),
        "provenance": provenance(rollout),
    }
