"""The engineer's tools, one concept per module, over one ``EngineerSession``:

- ``cad``: ``run_cad`` (a build123d script in the sandbox, linted and measured)
- ``estimates``: ``estimate`` (mass and cost against the limits)
- ``previews``: ``simulate_preview`` (free simulations, not scored)
- ``todo``: ``update_todo`` (the plan's items)
- ``skills``: ``read_skills``, ``write_skill`` (shared by every node)
- ``review``: ``request_review``, ``submit``, ``refuse`` (the critic's answers)

Each is a typed ``Tool``; the ``Conversation`` turns every call and result into
``agent.tool.*`` events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from arena_core.llm import Tool, ToolRegistry
from engineer.session import EngineerSession
from engineer.tools.base import Args, DesignArgs
from engineer.tools.cad import RunCadArgs, lint, run_cad
from engineer.tools.estimates import estimate
from engineer.tools.previews import PreviewArgs, simulate_preview
from engineer.tools.review import RefuseArgs, refuse, request_review, submit
from engineer.tools.skills import SkillQuery, WriteSkillArgs, read_skills, write_skill
from engineer.tools.todo import TodoArgs, update_todo

_TOOLS: tuple[tuple[str, str, type[Args], Callable[..., Awaitable[Any]]], ...] = (
    (
        "run_cad",
        "Run a build123d CAD script in the sandbox; returns the design id, each part's "
        "mass, cost and bounding box, lint and script problems.",
        RunCadArgs,
        run_cad,
    ),
    ("estimate", "Mass and cost of a design against the benchmark's limits.", DesignArgs, estimate),
    (
        "simulate_preview",
        "Simulate designs on the benchmark's jittered copies (free, not scored): "
        "pass/fail with reasons per design.",
        PreviewArgs,
        simulate_preview,
    ),
    (
        "read_skills",
        "Skills learned on earlier benchmarks that match the query.",
        SkillQuery,
        read_skills,
    ),
    (
        "update_todo",
        "Set the status and note of a TODO item of the plan.",
        TodoArgs,
        update_todo,
    ),
    (
        "submit",
        "Submit a design for scoring by the simulator and review by the critic. Counts "
        "against the submission limit.",
        DesignArgs,
        submit,
    ),
    (
        "request_review",
        "Ask the critic's opinion of a design (free: simulated and reviewed, not scored, "
        "does not count as a submission).",
        DesignArgs,
        request_review,
    ),
    ("refuse", "Refuse the plan with a proof the critic checks.", RefuseArgs, refuse),
    (
        "write_skill",
        "Record what made this benchmark work, for later ones.",
        WriteSkillArgs,
        write_skill,
    ),
)


def engineer_tools(session: EngineerSession, extra: list[Tool[Any]] | None = None) -> ToolRegistry:
    """The engineer's tools bound to ``session`` (plus ``extra``, e.g. the workbench's)."""
    tools = ToolRegistry(
        [
            Tool(name, description, args, partial(run, session))
            for name, description, args, run in _TOOLS
        ]
    )
    for tool in extra or []:
        tools.add(tool)
    return tools


__all__ = ["EngineerSession", "engineer_tools", "lint"]
