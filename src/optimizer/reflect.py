"""Reflection: a meta-prompt reads why the start profile's runs failed and proposes new
instructions; the text operators then add them to variants.

It is one LLM call of the ``optimizer`` role, recorded like every other call. With
Claude, the model reads the failed runs' reasons and the current template and answers
with instructions; offline, ``reflect_decider`` answers with the instruction library's
lines for those reasons (``library.mine``), so the loop is the same with no API key.
"""

from __future__ import annotations

import random
import re

import orjson

from arena_core.events.llm import AssistantBlock, CallParameters, Message, TextBlock
from arena_core.ids import bounded
from arena_core.llm import Llm, LlmError, LlmRequest
from optimizer.library import mine

ROLE = "optimizer"
"""The agent role of reflection calls."""
MAX_REASONS = 40
"""Failure reasons shown to the model (the most frequent first)."""
MAX_INSTRUCTIONS = 6

SYSTEM = (
    "You improve the system prompt of an engineering agent that designs CAD parts for "
    "physics puzzles judged in a simulator. You read why its recent runs failed and "
    "propose short, concrete instructions that would have avoided those failures. "
    "Answer with one instruction per line, each starting with '- ', nothing else."
)
_FAILURES = re.compile(r"<failures>\s*(\[.*?\])\s*</failures>", re.DOTALL)
_LINE = re.compile(r"^\s*[-*]\s+(.+?)\s*$")


def meta_prompt(template: str, reasons: list[str]) -> str:
    """The user turn: the current template and the failure reasons (as JSON)."""
    counted: dict[str, int] = {}
    for r in reasons:
        counted[r] = counted.get(r, 0) + 1
    top = sorted(counted, key=lambda r: (-counted[r], r))[:MAX_REASONS]
    return (
        f"The agent's current prompt template:\n<template>\n{template}\n</template>\n\n"
        "Why its failed runs failed, most frequent first (the simulator's and the "
        f"critic's reasons):\n<failures>\n{orjson.dumps(top).decode()}\n</failures>\n\n"
        f"Propose up to {MAX_INSTRUCTIONS} new instructions for its constraints section."
    )


def parse(text: str) -> list[str]:
    """Instruction lines of an answer (bullets only; no Jinja syntax)."""
    found = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m and "{" not in m[1] and "}" not in m[1] and len(m[1]) <= 300:
            found.append(m[1])
    return found[:MAX_INSTRUCTIONS]


def reflect_decider(request: LlmRequest, rng: random.Random) -> list[AssistantBlock]:
    """Offline reflection: the library's instructions for the reasons in the meta-prompt."""
    text = "".join(b.text for m in request.messages for b in m.content if isinstance(b, TextBlock))
    found = _FAILURES.search(text)
    reasons = orjson.loads(found[1]) if found else []
    lines = mine([str(r) for r in reasons])[:MAX_INSTRUCTIONS]
    return [TextBlock(text="\n".join(f"- {line}" for line in lines))]


DECIDERS = {ROLE: reflect_decider}


async def reflect(llm: Llm, conversation_id: str, template: str, reasons: list[str]) -> list[str]:
    """Instructions proposed for these failures; the library's (``mine``) when the call
    fails or answers nothing usable, so a model outage never stops the loop."""
    try:
        done = await llm.call(
            conversation_id=bounded(conversation_id), turn_index=0, agent_role=ROLE,
            system=SYSTEM, messages=[
                Message(role="user", content=(TextBlock(text=meta_prompt(template, reasons)),))
            ],
            parameters=CallParameters(max_tokens=800),
        )  # fmt: skip
    except LlmError:
        return mine(reasons)
    answer = "".join(b.text for b in done.content if isinstance(b, TextBlock))
    proposed = parse(answer)
    return proposed + [i for i in mine(reasons) if i not in proposed] if proposed else mine(reasons)
