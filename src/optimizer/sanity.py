"""The sanity guard's second opinion with Claude: a cheap model reads a variant's
template beside its parent's and answers whether it still does the role's job.

Offline the rules of ``optimizer.guards`` are the whole sanity check; with a model
this verdict comes after them. A verdict that cannot be had (the call fails) lets the
variant through: the regression batch still judges it.
"""

from __future__ import annotations

from arena_core.events.llm import CallParameters, Message, TextBlock
from arena_core.events.optimizer import GuardName
from arena_core.ids import bounded
from arena_core.llm import Llm, LlmError
from optimizer.guards import Verdict

ROLE = "optimizer_sanity"
"""The agent role of sanity calls."""
MODEL = "claude-haiku-4-5"
"""The cheap model asked."""

SYSTEM = (
    "You check edits to an engineering agent's system prompt. Answer OK when the new "
    "template still tells the agent its job, its tools and its limits, and is coherent; "
    "otherwise answer REJECT: followed by the reason in one line. Answer nothing else."
)


async def model_verdict(llm: Llm, conversation_id: str, template: str, parent: str) -> Verdict:
    """OK, or a sanity rejection with the model's reason."""
    text = f"<parent>\n{parent}\n</parent>\n\n<variant>\n{template}\n</variant>"
    try:
        done = await llm.call(
            conversation_id=bounded(conversation_id), turn_index=0, agent_role=ROLE,
            system=SYSTEM, messages=[Message(role="user", content=(TextBlock(text=text),))],
            model=MODEL, parameters=CallParameters(max_tokens=200),
        )  # fmt: skip
    except LlmError:
        return Verdict()
    answer = "".join(b.text for b in done.content if isinstance(b, TextBlock)).strip()
    if answer.upper().startswith("REJECT"):
        reason = answer.partition(":")[2].strip() or "the model rejected the variant"
        return Verdict(GuardName.sanity, (f"model: {reason[:500]}",))
    return Verdict()
