"""The profile registry: immutable versions folded from events, lifecycle and approval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from arena_core.db import open_database
from arena_core.db.projections.profiles import ProfilesProjection
from arena_core.events import Envelope, Payload
from arena_core.events.profiles import (
    Objectives,
    ProfileApproved,
    ProfileEvaluated,
    ProfileStageMoved,
    PromptSection,
    Stage,
    TeamSettings,
)
from arena_core.profiles import (
    InvalidProfile,
    UnknownProfile,
    get_profile,
    list_profiles,
    new_profile,
    packaged_profile,
    packaged_profile_event,
    prod_profile,
    split_template,
)
from arena_core.prompts import packaged_default

SCORE = Objectives(success=0.5, cost_usd=0.0, tokens=100.0, latency_s=1.0, simulations=9.0)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_database(tmp_path / "arena.db")


class Log:
    """Events folded by the real projection into a real SQLite file, in order."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seq = 0

    def __call__(self, *payloads: Payload) -> None:
        with self.engine.begin() as conn:
            projection = ProfilesProjection(conn, None)
            for payload in payloads:
                self.seq += 1
                env: Envelope[Any] = Envelope.new(payload)
                projection.apply(self.seq, env)
            projection.flush()


def _variant(parent: str, version: str = "1.1.0-g1.x", **settings: Any) -> Any:
    base = packaged_profile("engineer")
    return new_profile(
        "engineer", version, base.sections, settings=TeamSettings(**settings),
        parent_ids=(parent,),
    )  # fmt: skip


def test_the_packaged_template_splits_into_sections_that_join_back_exactly() -> None:
    for role in ("planner", "engineer", "critic"):
        sections = split_template(packaged_default(role))
        assert sections[0].name == "instructions"
        assert packaged_profile(role).template == packaged_default(role)


def test_a_fresh_database_serves_the_packaged_profile_as_prod(engine: Engine) -> None:
    profile = prod_profile(engine, "engineer")
    assert (profile.stage, profile.tags, profile.created_at) == (Stage.production, ("prod",), None)
    with pytest.raises(UnknownProfile):
        prod_profile(engine, "astronaut")


def test_versions_are_immutable_and_the_first_recorded_wins(engine: Engine) -> None:
    log = Log(engine)
    first = _variant("p", population=4)
    log(packaged_profile_event("engineer"), first, _variant("p", population=9))
    stored = get_profile(engine, first.profile_id)
    assert (stored.settings.population, stored.stage, stored.parent_ids) == (4, Stage.draft, ("p",))
    assert len(list_profiles(engine, "engineer")) == 2


def test_stage_moves_never_enter_production_nor_leave_archived(engine: Engine) -> None:
    log = Log(engine)
    v = _variant("p")
    log(v, ProfileStageMoved(profile_id=v.profile_id, stage=Stage.production))
    assert get_profile(engine, v.profile_id).stage is Stage.draft
    log(
        ProfileStageMoved(profile_id=v.profile_id, stage=Stage.archived),
        ProfileStageMoved(profile_id=v.profile_id, stage=Stage.candidate),
    )
    assert get_profile(engine, v.profile_id).stage is Stage.archived


def test_approval_of_a_proven_candidate_moves_prod_and_archives_the_old_one(engine: Engine) -> None:
    log = Log(engine)
    packaged = packaged_profile_event("engineer")
    unproven, proven = (
        _variant("p", "1.1.0-a", population=3),
        _variant("p", "1.1.0-b", population=8),
    )
    log(packaged, unproven, proven)
    log(ProfileApproved(profile_id=unproven.profile_id, role="engineer", approver="ada"))
    assert prod_profile(engine, "engineer").id == packaged.profile_id
    log(
        ProfileEvaluated(
            profile_id=proven.profile_id, experiment_id="x", objectives=SCORE, targets=2,
            targets_solved=1, controls=1, passed=True,
        ),
        ProfileStageMoved(profile_id=proven.profile_id, stage=Stage.candidate),
        ProfileApproved(profile_id=proven.profile_id, role="engineer", approver="ada"),
    )  # fmt: skip
    now = prod_profile(engine, "engineer")
    assert (now.id, now.stage, now.tags) == (proven.profile_id, Stage.production, ("prod",))
    assert get_profile(engine, packaged.profile_id).stage is Stage.archived


@pytest.mark.parametrize(
    ("version", "text", "problem"),
    [
        ("1.1", "Plan {{ family }}.", "semantic version"),
        ("1.1.0", "Plan {{ family }.", "line 1"),
        ("1.1.0", "Plan {{ reference_solution }}.", "not a template variable"),
    ],
)
def test_bad_genomes_are_refused_with_the_problem(version: str, text: str, problem: str) -> None:
    with pytest.raises(InvalidProfile, match=problem):
        new_profile("planner", version, (PromptSection(name="instructions", text=text),))
