"""``sft-anthropic``: Anthropic Messages format, one row per conversation.

``{"system", "messages", "tools", "provenance"}`` with ``tool_use`` / ``tool_result``
blocks, roles alternating, and ``input_schema`` as a JSON Schema object.
"""

from __future__ import annotations

from typing import Any

from arena_core.export import openai
from arena_core.export.conversations import Rollout, provenance


def row(rollout: Rollout) -> dict[str, Any]:
    """One ``sft-anthropic`` row."""
    out: list[dict[str, Any]] = []
    for m in openai.history(rollout):
        blocks = list(m["content"])
        if out and out[-1]["role"] == m["role"]:
            out[-1]["content"].extend(blocks)  # merge to keep roles alternating
        else:
            out.append({"role": m["role"], "content": blocks})
    return {
        "system": rollout.request["system"],
        "messages": out,
        "tools": rollout.request["tools"],
        "provenance": provenance(rollout),
    }
