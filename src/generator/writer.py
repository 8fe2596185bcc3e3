"""The code writer: an agent that writes a benchmark's CAD scripts and submits them for review.

One ``Conversation`` per job, role ``generator``, with one tool, ``submit_benchmark``,
that runs the reviewer's funnel and answers with its verdict, so rejected attempts
come back to the writer with their reasons. With Claude the model writes the scripts;
with the offline policy the ``procedural`` decider answers with the family's own
layout (and, after a rejection, the family's next reference revision). Both go through
the same tool, the same funnel and the same ``llm.*`` and ``agent.*`` events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import orjson
from pydantic import BaseModel, Field

from arena_core.events.benchmark import ReviewStage
from arena_core.events.llm import Message, TextBlock, ToolResultBlock, ToolUseBlock
from arena_core.llm import Conversation, Decision, Llm, LlmRequest, ToolError, ToolRegistry
from arena_core.llm import tool_use_id as make_tool_use_id
from arena_core.spec import STANDARD_MATERIALS
from generator.families import family
from generator.families.base import Draft
from generator.review import Reviewer, Verdict

ROLE = "generator"
"""Agent role of the code writer (the offline policy's decider key)."""
SUBMIT = "submit_benchmark"
ACCEPTED_PREFIX = "accepted"

SYSTEM = """You write benchmark puzzles for a physics engineering arena as build123d CAD code.

You get a family, a frame (world bounds, goal, build zone, forbid zones, motors,
constraints: all fixed) and a brief of the scene. Write two Python scripts and submit
them with the submit_benchmark tool:

1. scene_code: the scenery and the payload. `def build()` returns a list of
   `Part(name, shape, role=..., density=...)` (`from arena_cad import Part`), shapes
   placed in world coordinates (metres), role "static" (fixed scenery) or "dynamic"
   (free bodies; the payload named in the frame must be one).
2. reference_code: a solution that solves the puzzle within the constraints, parts
   only inside the build zone, role "fixed" (welded to the world) or "on_<motor>"
   (riding on that motor).

A part's density (kg/m^3) selects its material: {materials}.
Boxes, spheres and cylinders become exact simulator primitives; other shapes are
simulated as their convex hull. The reviewer accepts a benchmark only when the code
runs, the scene is valid and physically sane, the reference reaches the goal on every
jittered copy within every constraint, and the scene WITHOUT any solution parts fails.
When a submission is rejected you get the stage and the reasons: fix them and submit
again. Stop once a submission is accepted.
""".format(materials=", ".join(f"{m.name} {m.density:g}" for m in STANDARD_MATERIALS))


class SubmitBenchmark(BaseModel):
    """Arguments of ``submit_benchmark``."""

    scene_code: str = Field(min_length=1, max_length=200_000)
    """The scene's CAD script."""
    reference_code: str = Field(min_length=1, max_length=200_000)
    """The reference solution's CAD script."""


def task_message(draft: Draft) -> str:
    """The writer's first user message: the job as JSON (the procedural decider reads it)."""
    fam = family(draft.family)
    return orjson.dumps(
        {
            "family": draft.family,
            "seed": draft.seed,
            "difficulty": draft.difficulty,
            "summary": fam.summary,
            "brief": draft.brief,
            "frame": draft.frame.model_dump(mode="json"),
        },
        option=orjson.OPT_INDENT_2,
    ).decode()


@dataclass
class WriterOutcome:
    """What the writer's conversation produced."""

    verdicts: list[Verdict] = field(default_factory=list)
    """Every review, in order."""
    codes: list[SubmitBenchmark] = field(default_factory=list)
    """Every submission, in order."""

    @property
    def accepted(self) -> tuple[Verdict, SubmitBenchmark] | None:
        if self.verdicts and self.verdicts[-1].accepted:
            return self.verdicts[-1], self.codes[-1]
        return None


async def write_benchmark(
    llm: Llm,
    reviewer: Reviewer,
    *,
    conversation_id: str,
    max_attempts: int,
) -> WriterOutcome:
    """Let the writer submit until the reviewer accepts or ``max_attempts`` run out."""
    outcome = WriterOutcome()
    tools = ToolRegistry()

    async def submit_benchmark(args: SubmitBenchmark) -> str:
        if len(outcome.verdicts) >= max_attempts:
            raise ToolError(f"no attempts left ({max_attempts} used)")
        verdict = await reviewer.review(
            len(outcome.verdicts) + 1, args.scene_code, args.reference_code
        )
        outcome.verdicts.append(verdict)
        outcome.codes.append(args)
        if not verdict.accepted:
            left = max_attempts - len(outcome.verdicts)
            raise ToolError(f"{verdict.summary()}\n({left} attempts left)")
        return verdict.summary()

    tools.tool(SUBMIT, "Run the reviewer on a scene script and a reference script.")(
        submit_benchmark
    )
    conversation = Conversation(
        llm,
        agent_role=ROLE,
        system=SYSTEM,
        tools=tools,
        conversation_id=conversation_id,
    )
    conversation.add_user(task_message(reviewer.draft))
    # One turn per attempt, plus one for the writer to close after the last verdict.
    for _ in range(max_attempts + 1):
        reply = await conversation.send()
        if not reply.tool_uses:
            break
        await conversation.run_tools(reply)
        if outcome.accepted or len(outcome.verdicts) >= max_attempts:
            break
    return outcome


# -- the offline policy's algorithm -----------------------------------------------------


def _task(messages: tuple[Message, ...]) -> dict[str, object]:
    first = messages[0].content[0]
    if not isinstance(first, TextBlock):
        raise ValueError("the writer's first message must be the task as JSON")
    task: dict[str, object] = orjson.loads(first.text)
    return task


def procedural(request: LlmRequest, rng: random.Random) -> Decision:
    """The offline writer: submits the family's layout; after a rejection, its next revision."""
    last = request.messages[-1].content[-1]
    results = [
        block for m in request.messages for block in m.content if isinstance(block, ToolResultBlock)
    ]
    if isinstance(last, ToolResultBlock) and not last.is_error:
        return [TextBlock(text="The reviewer accepted the benchmark.")]
    trivial = f"rejected at stage {ReviewStage.not_trivial.value}"
    if isinstance(last, ToolResultBlock) and trivial in last.content:
        # Triviality is the scene's; a revision only changes the reference.
        return [TextBlock(text="The family's scene is trivial for this seed; giving up.")]
    task = _task(request.messages)
    seed, difficulty = task["seed"], task["difficulty"]
    assert isinstance(seed, int) and isinstance(difficulty, int)
    draft = family(str(task["family"])).draw(seed, difficulty, revision=len(results))
    note = (
        "Submitting the family layout."
        if not results
        else f"Revision {len(results)}: a different reference after the rejection."
    )
    return [
        TextBlock(text=note),
        ToolUseBlock(
            id=make_tool_use_id(request, 0),
            name=SUBMIT,
            input={"scene_code": draft.scene_code(), "reference_code": draft.reference_code()},
        ),
    ]


DECIDERS = {ROLE: procedural}
"""Offline deciders of the generator service."""
