"""The offline planner: a TODO list from rules per goal kind and benchmark family."""

from __future__ import annotations

import random

from arena_core.events.engineer import PlanItem
from arena_core.events.llm import AssistantBlock, TextBlock, ToolUseBlock
from arena_core.llm import LlmRequest, tool_use_id
from arena_core.spec import BenchmarkSpec, HoldAbove
from engineer.briefs import task_of
from engineer.catalogue import templates_for
from engineer.policies.history import calls
from engineer.proofs import provable_refusals
from engineer.scene import fabrication


def _constraints(spec: BenchmarkSpec) -> tuple[str, ...]:
    limits, fab = spec.constraints, fabrication(spec)
    found = [f"inside build zone {spec.build_zone.low} .. {spec.build_zone.high}"]
    if limits.max_cost is not None:
        found.append(f"total cost <= {limits.max_cost:g}")
    if limits.max_mass is not None:
        found.append(f"total mass <= {limits.max_mass:g} kg")
    if limits.process is not None:
        found.append(
            f"{limits.process.process.value} in {fab.material.name}, {fab.thickness * 1000:g} mm"
        )
    return tuple(found)


def plan_items(spec: BenchmarkSpec) -> tuple[str, list[PlanItem]]:
    """The strategy and TODO items the rules give for ``spec``."""
    proofs = provable_refusals(spec)
    if proofs:
        proof = proofs[0]
        return (
            f"Refuse: {proof.argument}",
            [
                PlanItem(
                    id="p1",
                    part="refusal",
                    purpose=f"prove {proof.kind.value}",
                    acceptance="the critic accepts the proof",
                )
            ],
        )
    constraints = _constraints(spec)
    copies = f"every one of the {spec.jitter.copies} jittered copies"
    payload = spec.goal.object
    if isinstance(spec.goal, HoldAbove):
        main = PlanItem(
            id="p1",
            part=templates_for(spec)[0],
            purpose=f"hold {payload} at or above {spec.goal.height:g} m for {spec.goal.hold_s:g} s",
            constraints=constraints,
            acceptance=f"simulate_preview passes on {copies}",
        )
    else:
        main = PlanItem(
            id="p1",
            part=templates_for(spec)[0],
            purpose=f"catch {payload} where it falls and guide it into zone {spec.goal.zone.label}",
            constraints=constraints,
            acceptance=f"{payload} inside {spec.goal.zone.label} within "
            f"{spec.goal.within_s:g} s on {copies}",
        )
    robust = PlanItem(
        id="p2",
        part="check",
        purpose="make the design robust to the start jitter",
        constraints=("no copy may reach the goal in the last tenth of the time limit",),
        acceptance="a stress preview with twice the copies passes",
    )
    submit = PlanItem(
        id="p3",
        part="submission",
        purpose="submit the best robust design",
        constraints=constraints,
        acceptance="the critic accepts the scored submission",
    )
    strategy = (
        f"Search the {', '.join(templates_for(spec))} templates in "
        f"{fabrication(spec).material.name} "
        f"for a design that passes every copy with margin, stress-test it, then submit it."
    )
    return strategy, [main, robust, submit]


def planner_decider(request: LlmRequest, rng: random.Random) -> list[AssistantBlock]:
    if any(c.name == "write_plan" for c in calls(request)):
        return [TextBlock(text="The plan is written.")]
    spec = task_of(request.messages).spec
    strategy, items = plan_items(spec)
    return [
        TextBlock(text=strategy),
        ToolUseBlock(
            id=tool_use_id(request, 0),
            name="write_plan",
            input={"strategy": strategy, "items": [i.model_dump(mode="json") for i in items]},
        ),
    ]
