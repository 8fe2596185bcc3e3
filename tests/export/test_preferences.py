"""Preference pairs from critic revisions: the accepted submission over the sent-back one."""

from __future__ import annotations

import io

import orjson
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.engineer import CriticReviewCreated, SimVerdict, SolutionSubmitted
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.recorder import RecorderService
from arena_core.spec.examples import ball_to_goal, ramp_solution
from tests.recorder.recording import settle


def submission(attempt: int, pitch: float) -> SolutionSubmitted:
    return SolutionSubmitted(
        plan_id="plan-1", solve_key="key-1", benchmark_id="example:ball_to_goal:0",
        spec=ball_to_goal(), stage="final", attempt=attempt, design_id=f"d{attempt}",
        code=f"ramp(pitch={pitch})", solution=ramp_solution(pitch=pitch),
    )  # fmt: skip


def review(attempt: int, decision: str, passed: bool, rate: float) -> CriticReviewCreated:
    verdict = SimVerdict(passed=passed, success_rate=rate, cost=1.0, mass_kg=0.1)
    return CriticReviewCreated(
        plan_id="plan-1", subject="submission", stage="final", attempt=attempt,
        design_id=f"d{attempt}", decision=decision, verdict=verdict,
    )  # fmt: skip


async def test_the_accepted_revision_is_preferred_over_the_sent_back_one(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    first = Envelope.new(submission(1, 0.2), run_id="run-p")
    second = first.follow(submission(2, 0.5))
    await bus.publish_many([
        first, first.follow(review(1, "revise", False, 0.4)),
        second, second.follow(review(2, "accept", True, 1.0)),
    ])  # fmt: skip
    await settle(bus, engine)
    out = io.BytesIO()
    summary = export(engine, ExportFormat.preferences, out)
    (pair,) = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert summary.rows == 1 and pair["source"] == "critic"
    assert pair["chosen"] == [{"role": "assistant", "content": "ramp(pitch=0.5)"}]
    assert pair["rejected"] == [{"role": "assistant", "content": "ramp(pitch=0.2)"}]
    assert pair["margin"] == 0.8  # 1 for a pass over half of a 0.4 success rate
    assert pair["chosen_review"]["decision"] == "accept"
    flt = ExportFilter(min_margin=0.9)
    assert export(engine, ExportFormat.preferences, io.BytesIO(), flt).rows == 0
