"""An approved profile, as the optimizer and a person would leave it: created, proven on
a regression batch, approved; returned once shared state serves it."""

from __future__ import annotations

import asyncio

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.events.profiles import (
    DifficultyRange,
    Objectives,
    ProfileApproved,
    ProfileEvaluated,
    PromptSection,
    TeamSettings,
)
from arena_core.profiles import new_profile, packaged_profile, packaged_profile_event
from arena_core.state import SharedState

SCORE = Objectives(success=1.0, cost_usd=0.0, tokens=100.0, latency_s=1.0, simulations=9.0)


async def approve(
    bus: Bus,
    role: str,
    difficulty: DifficultyRange | None = None,
    settings: TeamSettings | None = None,
) -> str:
    """Approve a variant of ``role``'s packaged profile with one more instruction."""
    base = packaged_profile(role)
    sections = (*base.sections, PromptSection(name="house", text="Cite every finding by name."))
    created = new_profile(
        role, "1.1.0", sections, difficulty=difficulty, settings=settings, parent_ids=(base.id,)
    )  # fmt: skip
    verdict = ProfileEvaluated(
        profile_id=created.profile_id, experiment_id="by-hand", objectives=SCORE, targets=1,
        targets_solved=1, controls=0, passed=True,
    )  # fmt: skip
    approval = ProfileApproved(profile_id=created.profile_id, role=role, approver="ada")
    for payload in (packaged_profile_event(role), created, verdict, approval):
        await bus.publish(Envelope.new(payload))
    state = SharedState(bus)
    for _ in range(100):
        shared = await state.prod_profile(role)
        if shared is not None and shared.id == created.profile_id:
            return created.profile_id
        await asyncio.sleep(0.1)
    raise AssertionError(f"the {role} profile never reached shared state")
