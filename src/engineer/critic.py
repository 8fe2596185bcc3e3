"""The critic service: reviews submissions (with the simrunner's verdict and a stress test)
and refusals (re-checking their proofs), and answers ``accept`` or ``revise``.

Rule findings are computed here, in code; the critic's LLM turns them into a decision.
A blocking finding (failed simulation, broken constraint, invalid proof) forces
``revise`` whatever the model says.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from arena_core.bus import Delivery, RequestFailed
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanRefused,
    ReviewIssue,
    ReviewReason,
    SimVerdict,
    SolutionSubmitted,
)
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.llm import Tool
from arena_core.service import Service, handles
from arena_core.spec import BenchmarkSpec
from arena_core.state import SharedState
from engineer.briefs import Task, brief, describe
from engineer.proofs import check_proof
from engineer.stress import sim_seconds, stress_spec
from engineer.team import one_tool_conversation, team_llm, totals

TIME_MARGIN = 0.9
"""A copy reaching the goal after this fraction of the time limit is a fragile pass."""
SIM_TIMEOUT_S = 300.0


class ReviewArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "revise"]
    reasons: list[ReviewReason] = Field(default=[], max_length=32)


class Finding(BaseModel):
    """One rule check's result, as the critic's model reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: ReviewReason
    blocking: bool


class CriticService(Service):
    """Reviews designs and refusals for the engineer."""

    name: ClassVar[str] = "critic"

    async def setup(self) -> None:
        self.state: SharedState = self.container.state()
        self.llm = team_llm(self.container)

    async def _sim(
        self, delivery: Delivery[Any], request: SimJobRequested
    ) -> SimJobCompleted | SimJobFailed:
        try:
            reply = await self.bus.request(
                delivery.follow(request), [SimJobCompleted, SimJobFailed], timeout=SIM_TIMEOUT_S
            )
        except RequestFailed as exc:
            return SimJobFailed(reason="resource_limit", detail=f"rejected: {exc}"[:4000])
        return reply.payload  # type: ignore[no-any-return]

    @handles(SolutionSubmitted)
    async def on_submission(self, delivery: Delivery[SolutionSubmitted]) -> None:
        s = delivery.payload
        official = SimJobRequested(
            spec=s.spec, solution=s.solution, meshes=s.meshes, preview=s.stage == "preview"
        )
        stressed = SimJobRequested(
            spec=stress_spec(s.spec), solution=s.solution, meshes=s.meshes, preview=True
        )
        result, stress = await asyncio.gather(
            self._sim(delivery, official), self._sim(delivery, stressed)
        )
        findings, verdict = submission_findings(s.spec, result, stress)
        await self._decide(delivery, s, findings, verdict)

    @handles(PlanRefused)
    async def on_refusal(self, delivery: Delivery[PlanRefused]) -> None:
        r = delivery.payload
        problems = check_proof(r.spec, r.proof)
        findings = [
            Finding(reason=ReviewReason(issue=ReviewIssue.invalid_proof, message=p), blocking=True)
            for p in problems
        ]
        await self._decide(delivery, r, findings, None)

    async def _decide(
        self,
        delivery: Delivery[Any],
        reviewed: SolutionSubmitted | PlanRefused,
        findings: list[Finding],
        verdict: SimVerdict | None,
    ) -> None:
        spec = reviewed.spec
        if isinstance(reviewed, SolutionSubmitted):
            subject: Literal["submission", "refusal"] = "submission"
            stage, attempt, design_id = reviewed.stage, reviewed.attempt, reviewed.design_id
            proof = None
            thread = f"{reviewed.stage}-{reviewed.attempt}-{reviewed.design_id}"
        else:
            subject, stage, attempt, design_id = "refusal", "final", 0, None
            proof = reviewed.proof.model_dump(mode="json")
            thread = f"refusal-{reviewed.proof.kind.value}"
        llm = self.llm.bind(delivery.emit)
        answers: list[ReviewArgs] = []

        def review(args: ReviewArgs) -> str:
            answers.append(args)
            return f"review recorded: {args.decision}"

        conversation = await one_tool_conversation(
            self.state, llm, "critic", spec,
            Tool("review", "Give the decision with reasons.", ReviewArgs, review),
            f"critic-{reviewed.solve_key}-{thread}",
        )  # fmt: skip
        details: dict[str, Any] = {
            "subject": subject,
            "stage": stage,
            "findings": [f.model_dump(mode="json") for f in findings],
            "verdict": verdict.model_dump(mode="json") if verdict else None,
            "proof": proof,
        }
        conversation.add_user(
            brief(
                f"Review this {subject}. {describe(spec)}",
                Task(benchmark_id=reviewed.benchmark_id, spec=spec, findings=details),
            )
        )
        await conversation.run(max_turns=4)
        blocking = [f.reason for f in findings if f.blocking]
        chosen = answers[-1] if answers else ReviewArgs(decision="revise", reasons=[])
        decision = "revise" if blocking else chosen.decision
        reasons = list(chosen.reasons)
        reasons += [r for r in (f.reason for f in findings) if r not in reasons]
        await delivery.emit(
            CriticReviewCreated(
                plan_id=reviewed.plan_id,
                subject=subject,
                stage=stage,
                attempt=attempt,
                design_id=design_id,
                decision=decision,
                reasons=tuple(reasons),
                verdict=verdict,
                prompt=conversation.prompt,
                totals=totals(llm.budget),
            )
        )


def submission_findings(
    spec: BenchmarkSpec,
    result: SimJobCompleted | SimJobFailed,
    stress: SimJobCompleted | SimJobFailed,
) -> tuple[list[Finding], SimVerdict]:
    """The rule checks of a design: the official verdict, its constraints, its robustness."""
    findings: list[Finding] = []

    def add(issue: ReviewIssue, message: str, blocking: bool, **kind: Any) -> None:
        findings.append(
            Finding(
                reason=ReviewReason(issue=issue, message=message[:2000], **kind), blocking=blocking
            )
        )

    sim_time = sim_seconds(spec) + sim_seconds(stress_spec(spec))
    if isinstance(result, SimJobFailed):
        add(ReviewIssue.invalid_scene, f"the simulation gave no verdict: {result.detail}", True)
        return findings, SimVerdict(
            passed=False, success_rate=0, cost=0, mass_kg=0, sim_time_s=sim_time, sim_calls=2
        )
    for v in result.scoring.violations:
        add(ReviewIssue.constraint_violation, v.message, True, violation=v.kind)
    for f in result.failures:
        if f.kind.value != "constraint_violation":
            add(ReviewIssue.sim_failed, f.message, True, failure=f.kind)
    copies = result.metrics.copies
    times = [c.time_to_goal_s for c in copies if c.time_to_goal_s is not None]
    worst = max(times) if times and len(times) == len(copies) else None
    stress_rate = stress.metrics.success_rate if isinstance(stress, SimJobCompleted) else 0.0
    if result.passed and stress_rate < 1.0:
        add(
            ReviewIssue.fragile,
            f"passes the official copies but only {stress_rate:.0%} of "
            f"{stress_spec(spec).jitter.copies} stress copies",
            True,
        )
    if result.passed and worst is not None and worst > TIME_MARGIN * spec.duration_s:
        add(
            ReviewIssue.fragile,
            f"the slowest copy reaches the goal at {worst:.2f} s of "
            f"{spec.duration_s:.2f} s: a tiny margin",
            True,
        )
    verdict = SimVerdict(
        passed=result.passed,
        success_rate=result.metrics.success_rate,
        stress_success_rate=stress_rate,
        cost=result.scoring.total_cost,
        mass_kg=result.scoring.total_mass_kg,
        worst_time_to_goal_s=worst,
        sim_time_s=sim_time,
        sim_calls=2,
        reward=result.reward.value,
    )
    return findings, verdict
