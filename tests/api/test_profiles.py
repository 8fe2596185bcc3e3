"""Profiles through the API: versions and approval (admin only, regression required)."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.profiles import Objectives, ProfileEvaluated
from arena_core.profiles import new_profile, packaged_profile, prod_profile
from tests.api.conftest import Server
from tests.recorder.recording import settle


async def test_a_candidate_that_passed_regression_is_approved_by_an_admin(
    api: Server, bus: Bus, engine: Engine
) -> None:
    default = packaged_profile("engineer")
    candidate = new_profile(
        "engineer", "1.1.0", default.sections, parent_ids=(default.id,), description="test"
    )
    untried = new_profile("engineer", "1.2.0", default.sections, parent_ids=(candidate.profile_id,))
    await bus.publish(Envelope.new(candidate))
    await bus.publish(Envelope.new(untried))
    verdict = ProfileEvaluated(
        profile_id=candidate.profile_id, experiment_id="exp-1", targets=1, targets_solved=1,
        controls=1, passed=True,
        objectives=Objectives(success=1, cost_usd=0, tokens=10, latency_s=1, simulations=2),
    )  # fmt: skip
    await bus.publish(Envelope.new(verdict))
    await settle(bus, engine)
    async with api.client("admin") as admin, api.client("submit") as submitter:
        listed = (await admin.get("/profiles?role=engineer")).json()["profiles"]
        assert candidate.profile_id in [p["id"] for p in listed]
        refused = await submitter.post(f"/profiles/{candidate.profile_id}/approve")
        assert refused.status_code == 403
        approved = await admin.post(f"/profiles/{candidate.profile_id}/approve")
        assert approved.status_code == 202, approved.text
        assert approved.json()["approver"] == "test-admin"
        for _ in range(200):
            if prod_profile(engine, "engineer").id == candidate.profile_id:
                break
            await asyncio.sleep(0.05)
        assert prod_profile(engine, "engineer").id == candidate.profile_id
        again = await admin.post(f"/profiles/{candidate.profile_id}/approve")
        never = await admin.post(f"/profiles/{untried.profile_id}/approve")
        missing = await admin.post("/profiles/engineer-9.9.9-none/approve")
    assert again.status_code == 409 and "already" in again.json()["detail"]
    assert never.status_code == 409 and "regression" in never.json()["detail"]
    assert missing.status_code == 404
