"""What agents are told: a readable brief with a machine-readable ``<task>`` block.

The block carries the benchmark spec and the job's limits as JSON; people and models
read the prose, the offline deciders parse the block. Nothing but the spec (never a
reference solution) goes into it.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from arena_core.events.engineer import PlanItem
from arena_core.events.llm import Message, TextBlock
from arena_core.events.profiles import TeamSettings
from arena_core.spec import BenchmarkSpec

_TASK = re.compile(r"<task>\s*(\{.*?\})\s*</task>", re.DOTALL)


class Task(BaseModel):
    """The structured part of a brief."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    benchmark_id: str
    spec: BenchmarkSpec
    items: tuple[PlanItem, ...] = ()
    max_submissions: int = 3
    max_sim_calls: int = 120
    skill_min_failures: int = 3
    settings: TeamSettings = TeamSettings()
    findings: dict[str, Any] = {}


def brief(intro: str, task: Task) -> str:
    body = orjson.dumps(task.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS).decode()
    return f"{intro}\n\n<task>\n{body}\n</task>\n"


def task_of(messages: tuple[Message, ...]) -> Task:
    """The task block of the conversation's first user message."""
    for block in messages[0].content:
        if isinstance(block, TextBlock) and (found := _TASK.search(block.text)):
            return Task.model_validate_json(found.group(1))
    raise ValueError("the first message carries no <task> block")


def describe(spec: BenchmarkSpec) -> str:
    """A few lines about the benchmark for the prose part of a brief."""
    limits = spec.constraints
    process = limits.process.process.value if limits.process else "any process"
    return (
        f"Benchmark family {spec.family}, seed {spec.seed}, difficulty {spec.difficulty}. "
        f"{spec.description} Goal: {spec.goal.kind} of {spec.goal.object} within "
        f"{spec.goal.within_s:g} s on {spec.jitter.copies} jittered copies. Build zone "
        f"{spec.build_zone.low} .. {spec.build_zone.high}. Limits: cost "
        f"{limits.max_cost if limits.max_cost is not None else 'none'}, mass "
        f"{limits.max_mass if limits.max_mass is not None else 'none'} kg, {process}."
    )
