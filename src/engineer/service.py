"""The engineer service: works a plan with tools until a design is accepted, the plan is
refused with an accepted proof, or the limits run out; then answers the solve job."""

from __future__ import annotations

import logging
import time
from typing import Any, ClassVar

from arena_core.bus import Delivery
from arena_core.events import Envelope
from arena_core.events.engineer import (
    PlanCreated,
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
    SolveOutcome,
)
from arena_core.events.llm import PromptRef, TextBlock
from arena_core.events.profiles import TeamSettings
from arena_core.llm import BudgetExceeded, Conversation, LlmError, Tool, TurnLimitReached
from arena_core.llm.templates import PromptRenderError, render_prompt
from arena_core.sandbox import Sandbox, SandboxUnavailable
from arena_core.service import Service, handles
from arena_core.spec import Pose
from arena_core.state import SharedState
from engineer.briefs import Task, brief, describe
from engineer.preview import benchmark_zones
from engineer.session import EngineerSession
from engineer.team import add, role_prompt, team_llm, totals
from engineer.tools import engineer_tools

# Imported with the service, not at a job's first tool call: the import takes about a
# second of CPU, and a handler that holds the event loop that long (longer on a loaded
# machine) misses its message's heartbeats, so the job is delivered again and solved twice.
from engineer.workbench import workbench_tools as make_workbench_tools

SKILL_MIN_FAILURES = 3
"""A success after at least this many failed attempts is worth a skill."""


def workbench_tools(session: EngineerSession) -> list[Tool[Any]]:
    """The manufacturability, estimate and preview tools of ``engineer.workbench``."""

    def poses() -> dict[str, Pose]:
        latest = session.latest
        return {p.name: p.pose for p in latest.solution.parts} if latest else {}

    return make_workbench_tools(
        session.latest_parts,
        preview_dir=session.workspace / session.run_id / "previews",
        materials=session.spec.materials,
        process_rules=session.spec.constraints.process,
        poses=poses,
        zones=benchmark_zones(session.spec),
    )


log = logging.getLogger("arena.engineer")


class EngineerService(Service):
    """Designs, checks and submits parts for each plan."""

    name: ClassVar[str] = "engineer"
    default_concurrency: ClassVar[int] = 4

    async def setup(self) -> None:
        self.state: SharedState = self.container.state()
        self.llm = team_llm(self.container)
        self.sandbox: Sandbox = self.container.sandbox()
        # Warm the CAD pool before taking work, so a process added to scale out does not
        # make its first solves wait for build123d to load (each job says so if it fails).
        try:
            await self.sandbox.start()
        except SandboxUnavailable as exc:
            log.warning("sandbox not started (%s); CAD jobs will report it", exc)

    @handles(PlanCreated)
    async def on_plan(self, delivery: Delivery[PlanCreated]) -> None:
        started = time.perf_counter()
        plan = delivery.payload
        request = await self._with_prod_profile(plan.request)
        run_id = delivery.envelope.run_id
        session = EngineerSession(
            bus=self.bus,
            delivery=delivery,
            state=self.state,
            workspace=self.settings.workspace,
            sandbox=self.sandbox,
            request=request,
            plan_id=plan.plan_id,
            run_id=run_id,
            items=plan.items,
        )
        found = (
            await self.state.skills(
                "engineer", [request.spec.family, request.spec.goal.kind], solve=request
            )
            if request.settings.use_skills
            else []
        )
        prompt, system = await role_prompt(
            self.state, "engineer", request.spec, skills=[s.content.model_dump() for s in found]
        )
        ref = prompt.ref
        if request.prompt_template is not None:  # a profile under test brings its own
            ref = request.prompt or ref
            try:
                system = render_prompt(
                    request.prompt_template, spec=request.spec, family=request.spec.family,
                    goal_kind=request.spec.goal.kind,
                    skills=[s.content.model_dump() for s in found],
                )  # fmt: skip
            except PromptRenderError as exc:
                failed = SolveJobFailed(reason=SolveFailure.rejected, detail=f"template: {exc}")
                await self._publish(delivery, plan.solve_job_id, failed)
                return
        llm = self.llm.bind(delivery.emit)
        session.budget = llm.budget
        conversation = Conversation(
            llm,
            agent_role="engineer",
            system=system,
            tools=engineer_tools(session, workbench_tools(session)),
            prompt=ref,
            # The rollout seed steers the search (offline) but is never part of the prompt:
            # rollouts of one benchmark share their prompt and group as one.
            parameters=llm.parameters.model_copy(update={"seed": request.rollout_seed}),
            conversation_id=f"engineer-{request.key}",
        )
        conversation.add_user(
            brief(
                f"Carry out this plan. {describe(request.spec)}\n\nStrategy: {plan.strategy}",
                Task(
                    benchmark_id=request.benchmark_id,
                    spec=request.spec,
                    items=plan.items,
                    max_submissions=request.max_submissions,
                    max_sim_calls=min(request.max_sim_calls, request.settings.max_tool_calls),
                    skill_min_failures=SKILL_MIN_FAILURES,
                    settings=request.settings,
                ),
            )
        )
        reasons: list[str] = []
        try:
            await conversation.run(max_turns=request.settings.max_steps)
        except TurnLimitReached:
            reasons.append(
                f"the engineer was still working after {request.settings.max_steps} turns"
            )
        except (LlmError, BudgetExceeded) as exc:
            await self._publish(
                delivery,
                plan.solve_job_id,
                SolveJobFailed(
                    reason=SolveFailure.team_error, detail=f"{type(exc).__name__}: {exc}"[:4000]
                ),
            )
            return
        team = totals(llm.budget)
        team = add(team, plan.totals)
        for review_totals in session.review_totals:
            team = add(team, review_totals)
        accepted = session.accepted
        verdict = accepted.verdict if accepted else None
        if accepted is not None:
            outcome = SolveOutcome.solved
        elif session.accepted_refusal is not None:
            outcome = SolveOutcome.refused
            reasons.append(session.accepted_refusal.argument)
        else:
            outcome = SolveOutcome.unsolved
            reasons += session.last_reasons or ([] if reasons else _last_words(conversation))
        design = session.designs.get(accepted.design_id or "") if accepted else None
        limits = request.spec.constraints
        await self._publish(
            delivery,
            plan.solve_job_id,
            SolveJobCompleted(
                benchmark_id=request.benchmark_id,
                outcome=outcome,
                solved=outcome is SolveOutcome.solved,
                plan_id=plan.plan_id,
                cost=verdict.cost if verdict else None,
                max_cost=limits.max_cost,
                mass_kg=verdict.mass_kg if verdict else None,
                max_mass_kg=limits.max_mass,
                submissions=session.submissions,
                sim_calls=session.sim_calls,
                llm_calls=team.llm_calls,
                tokens=team.tokens,
                cost_usd=team.cost_usd,
                latency_s=team.llm_latency_s,
                sim_time_s=round(session.sim_time_s, 6),
                wall_s=round(time.perf_counter() - started, 3),
                reasons=tuple(r[:2000] for r in reasons[:8]),
                reward=session.scored_reward,
                solution=design.solution if design else None,
            ),
        )

    async def _with_prod_profile(self, request: SolveJobRequested) -> SolveJobRequested:
        """A job that names no profile and sets no knob runs on the approved ``prod``
        profile (read from shared state) when its difficulty range holds the benchmark."""
        if request.profile_id is not None or request.prompt_template is not None:
            return request
        if request.settings != TeamSettings():
            return request
        prod = await self.state.prod_profile("engineer")
        if prod is None or prod.created_at is None or prod.description == "packaged":
            return request
        if not prod.difficulty.holds(request.spec.difficulty):
            return request
        ref = PromptRef(id=prod.id, role="engineer", version=prod.version)
        return request.model_copy(
            update={"settings": prod.settings, "profile_id": prod.id,
                    "prompt_template": prod.template, "prompt": ref}
        )  # fmt: skip

    async def _publish(self, delivery: Delivery[Any], solve_job_id: str, payload: Any) -> None:
        # The answer is caused by the solve request (not the plan), so bus.request finds it.
        envelope: Envelope[Any] = delivery.follow(payload).with_ids(causation_id=solve_job_id)
        await self.bus.publish(envelope)


def _last_words(conversation: Conversation) -> list[str]:
    """Why the engineer stopped when no submission was ever reviewed (the simulation
    budget spent, the generations searched, no legal design): its last text."""
    for message in reversed(conversation.messages):
        if message.role == "assistant":
            text = " ".join(b.text for b in message.content if isinstance(b, TextBlock))
            return [text.strip()] if text.strip() else []
    return []
