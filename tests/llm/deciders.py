"""Small deterministic agent algorithms used as offline deciders in these tests."""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

from arena_core.events.llm import TextBlock, ToolResultBlock, ToolUseBlock
from arena_core.llm import Decision, LlmRequest, tool_use_id


class BeamArgs(BaseModel):
    """Arguments of the ``size_beam`` tool."""

    length_mm: float = Field(gt=0)
    """Beam length."""
    load_n: float = Field(gt=0)
    """Load at the tip."""


class BeamSize(BaseModel):
    """Result of ``size_beam``."""

    height_mm: float


def size_beam(args: BeamArgs) -> BeamSize:
    """Size a cantilever for a tip load (a stand-in engineering tool)."""
    return BeamSize(height_mm=round((args.length_mm * args.load_n) ** 0.5 / 10, 3))


def engineer(request: LlmRequest, rng: random.Random) -> Decision:
    """Asks for a beam size with a random-search guess, then reports the tool's answer."""
    last = request.messages[-1].content[-1]
    if isinstance(last, ToolResultBlock):
        return [TextBlock(text=f"Final design: {last.content}")]
    length = round(rng.uniform(100, 500), 3)
    return [
        TextBlock(text=f"Trying a {length} mm beam."),
        ToolUseBlock(
            id=tool_use_id(request, 0),
            name="size_beam",
            input={"length_mm": length, "load_n": 50.0},
        ),
    ]


def chatty(request: LlmRequest, rng: random.Random) -> Decision:
    """Always answers with one text block."""
    return [TextBlock(text=f"noted {rng.randint(0, 9)}")]
