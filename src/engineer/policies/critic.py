"""The offline critic: accepts exactly when no rule check found a problem."""

from __future__ import annotations

import random

from arena_core.events.llm import AssistantBlock, TextBlock, ToolUseBlock
from arena_core.llm import LlmRequest, tool_use_id
from engineer.briefs import task_of
from engineer.policies.history import calls


def critic_decider(request: LlmRequest, rng: random.Random) -> list[AssistantBlock]:
    if any(c.name == "review" for c in calls(request)):
        return [TextBlock(text="Review given.")]
    findings = task_of(request.messages).findings.get("findings", [])
    reasons = [f["reason"] for f in findings]
    decision = "revise" if reasons else "accept"
    summary = "; ".join(r["message"] for r in reasons) or "every check passed"
    return [
        TextBlock(text=f"{decision}: {summary}"),
        ToolUseBlock(
            id=tool_use_id(request, 0),
            name="review",
            input={"decision": decision, "reasons": reasons},
        ),
    ]
