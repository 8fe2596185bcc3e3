"""The critic's side of a solve: ``request_review`` (free), ``submit`` (scored) and
``refuse`` (with a proof the critic checks)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from arena_core.bus import RequestFailed, RequestTimeout
from arena_core.events.engineer import (
    CriticReviewCreated,
    PlanRefused,
    RefusalProof,
    ReviewAnswered,
    SimVerdict,
    SolutionSubmitted,
)
from arena_core.llm import ToolError
from engineer.session import EngineerSession
from engineer.tools.base import Args, DesignArgs

Action = Literal["accepted", "revising", "giving_up"]


class RefuseArgs(Args):
    proof: RefusalProof


class ReviewReport(BaseModel):
    decision: Literal["accept", "revise"]
    reasons: list[str]
    verdict: SimVerdict | None = None
    submissions_left: int


async def request_review(session: EngineerSession, args: DesignArgs) -> ReviewReport:
    review = await _review(session, _submission(session, args.design_id, "preview", 0))
    await _answer(
        session,
        "accepted" if review.decision == "accept" else "revising",
        f"preview review: {review.decision}",
    )
    return ReviewReport(
        decision=review.decision,
        reasons=_reasons(review),
        verdict=review.verdict,
        submissions_left=session.request.max_submissions - session.submissions,
    )


async def submit(session: EngineerSession, args: DesignArgs) -> ReviewReport:
    if session.finished:
        raise ToolError("a solution was already accepted")
    if session.submissions >= session.request.max_submissions:
        raise ToolError(f"all {session.request.max_submissions} submissions are used")
    submission = _submission(session, args.design_id, "final", session.submissions + 1)
    session.submissions += 1
    review = await _review(session, submission)
    session.scored_reward = review.verdict.reward if review.verdict else None
    reasons = _reasons(review)
    left = session.request.max_submissions - session.submissions
    action: Action
    if review.decision == "accept":
        session.accepted = review
        action, note = "accepted", "accepted; the solve is complete"
    else:
        session.failures += 1
        session.last_reasons = reasons
        action = "revising" if left else "giving_up"
        note = f"revising after: {'; '.join(reasons)[:1500]}" if left else "no submissions left"
    await _answer(session, action, note)
    return ReviewReport(
        decision=review.decision, reasons=reasons, verdict=review.verdict, submissions_left=left
    )


async def refuse(session: EngineerSession, args: RefuseArgs) -> ReviewReport:
    if session.finished:
        raise ToolError("the solve is already complete")
    request = session.request
    review = await _review(
        session,
        PlanRefused(
            plan_id=session.plan_id, solve_key=request.key, benchmark_id=request.benchmark_id,
            spec=request.spec, proof=args.proof,
        ),
    )  # fmt: skip
    reasons = _reasons(review)
    if review.decision == "accept":
        session.accepted_refusal = args.proof
        await _answer(session, "accepted", "refusal accepted; the solve ends")
    else:
        session.last_reasons = reasons
        await _answer(session, "revising", "refusal rejected; designing instead")
    return ReviewReport(
        decision=review.decision,
        reasons=reasons,
        submissions_left=request.max_submissions - session.submissions,
    )


def _submission(
    session: EngineerSession, design_id: str, stage: Literal["preview", "final"], attempt: int
) -> SolutionSubmitted:
    built = session.design(design_id)
    request = session.request
    return SolutionSubmitted(
        plan_id=session.plan_id, solve_key=request.key, benchmark_id=request.benchmark_id,
        spec=request.spec, stage=stage, attempt=attempt, design_id=design_id, code=built.code,
        solution=built.solution, meshes=(*request.meshes, *built.meshes),
    )  # fmt: skip


async def _review(
    session: EngineerSession, payload: SolutionSubmitted | PlanRefused
) -> CriticReviewCreated:
    envelope = session.delivery.follow(payload)
    try:
        reply = await session.bus.request(
            envelope, [CriticReviewCreated], timeout=session.request_timeout_s
        )
    except (RequestFailed, RequestTimeout) as exc:
        raise ToolError(f"the critic gave no review: {exc}") from None
    review: CriticReviewCreated = reply.payload
    session.last_review_id = reply.id
    session.review_totals.append(review.totals)
    if review.verdict is not None:
        session.sim_calls += review.verdict.sim_calls
        session.spent_sim(review.verdict.sim_time_s)
    return review


async def _answer(session: EngineerSession, action: Action, note: str) -> None:
    await session.delivery.emit(
        ReviewAnswered(
            plan_id=session.plan_id,
            review_id=session.last_review_id,
            action=action,
            note=note[:2000],
        )
    )


def _reasons(review: CriticReviewCreated) -> list[str]:
    return [f"{r.issue.value}: {r.message}" for r in review.reasons]
