"""The planner service: a solve job in, a persisted TODO list (``engineer.plan.created``) out."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from arena_core.bus import Delivery, HandlerRejected
from arena_core.events.engineer import PlanCreated, PlanItem, SolveJobRequested
from arena_core.llm import Tool, ToolError
from arena_core.service import Service, handles
from arena_core.state import SharedState
from engineer.briefs import Task, brief, describe
from engineer.team import one_tool_conversation, team_llm, totals


class WritePlanArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: str = Field(max_length=2000, description="The approach in one paragraph.")
    items: list[PlanItem] = Field(min_length=1, max_length=32, description="The TODO list.")


class PlannerService(Service):
    """Writes the TODO list for each solve job (the recorder keeps it and its plan.md)."""

    name: ClassVar[str] = "planner"

    async def setup(self) -> None:
        self.state: SharedState = self.container.state()
        self.llm = team_llm(self.container)

    @handles(SolveJobRequested)
    async def on_solve(self, delivery: Delivery[SolveJobRequested]) -> None:
        request = delivery.payload
        issues = request.spec.contradictions()
        if issues:
            raise HandlerRejected(
                "; ".join(f"{i.reason}: {i.detail}" for i in issues), "spec_contradiction"
            )
        llm = self.llm.bind(delivery.emit)
        written: list[WritePlanArgs] = []

        def write_plan(args: WritePlanArgs) -> str:
            ids = [i.id for i in args.items]
            if len(set(ids)) != len(ids):
                raise ToolError(f"item ids must be unique: {ids}")
            written.append(args)
            return f"plan recorded with {len(args.items)} items"

        conversation = await one_tool_conversation(
            self.state, llm, "planner", request.spec,
            Tool("write_plan", "Record the TODO list.", WritePlanArgs, write_plan),
            f"planner-{request.key}",
        )  # fmt: skip
        conversation.add_user(
            brief(
                f"Plan the solution of this benchmark. {describe(request.spec)}",
                Task(benchmark_id=request.benchmark_id, spec=request.spec),
            )
        )
        await conversation.run(max_turns=4)
        if not written:
            raise ToolError("the planner ended without writing a plan")
        plan = written[-1]
        plan_id = f"plan-{delivery.envelope.id}"
        await delivery.emit(
            PlanCreated(
                plan_id=plan_id,
                solve_job_id=delivery.envelope.id,
                request=request,
                strategy=plan.strategy,
                items=tuple(plan.items),
                path=f"{delivery.envelope.run_id}/plan.md",
                prompt=conversation.prompt,
                totals=totals(llm.budget),
            )
        )
