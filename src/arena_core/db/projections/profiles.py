"""The profile registry: ``profiles``, ``profile_tags`` and ``profile_evaluations``.

Folding rules (events that break them change nothing, so a rebuild gives the same rows):

- a version is inserted once; the first recorded (role, version) wins; a version born in
  ``production`` (a packaged default) takes ``prod`` only while the role has none;
- a stage move never enters ``production`` and never leaves ``archived``;
- a passing verdict marks the profile ``passed_regression``;
- an approval of a profile that passed regression moves ``prod`` to it, makes it
  ``production`` and archives the profile ``prod`` pointed at before.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.sqlite import insert as upsert

from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.profiles import (
    ProfileApproved,
    ProfileEvaluated,
    ProfileStageMoved,
    ProfileVersionCreated,
    Stage,
)
from arena_core.profiles.model import PROD
from arena_core.profiles.tables import profile_evaluations, profile_tags, profiles


class ProfilesProjection(Projection):
    """Agent profiles, their lifecycle, tags and regression verdicts."""

    name = "profiles"
    events = (ProfileVersionCreated, ProfileStageMoved, ProfileEvaluated, ProfileApproved)
    tables = (profiles, profile_tags, profile_evaluations)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, ProfileVersionCreated):
            self._created(seq, env, p)
        elif isinstance(p, ProfileStageMoved):
            self._moved(p)
        elif isinstance(p, ProfileEvaluated):
            self._evaluated(seq, env, p)
        elif isinstance(p, ProfileApproved):
            self._approved(seq, p)

    def _created(self, seq: int, env: Envelope[Any], p: ProfileVersionCreated) -> None:
        c = profiles.c
        taken = self.conn.execute(
            select(c.id).where(
                (c.id == p.profile_id) | ((c.role == p.role) & (c.version == p.version))
            )
        ).first()
        if taken is not None:
            return
        stage = p.stage
        if stage is Stage.production:
            if self._prod(p.role) is None:
                self._tag(p.role, p.profile_id, seq)
            else:
                stage = Stage.draft
        self.conn.execute(
            insert(profiles).values(
                id=p.profile_id, role=p.role, version=p.version,
                parent_ids=orjson.dumps(list(p.parent_ids)).decode(),
                sections=orjson.dumps([s.model_dump() for s in p.sections]).decode(),
                settings=p.settings.model_dump_json(), difficulty_low=p.difficulty.low,
                difficulty_high=p.difficulty.high, description=p.description,
                stage=stage.value, passed_regression=stage is Stage.production,
                created_seq=seq, created_at=env.ts,
            )
        )  # fmt: skip

    def _moved(self, p: ProfileStageMoved) -> None:
        if p.stage is Stage.production:
            return
        self.conn.execute(
            update(profiles)
            .where(profiles.c.id == p.profile_id, profiles.c.stage != Stage.archived.value)
            .values(stage=p.stage.value)
        )

    def _evaluated(self, seq: int, env: Envelope[Any], p: ProfileEvaluated) -> None:
        o = p.objectives
        insert_once(
            self.conn, profile_evaluations, profile_id=p.profile_id, experiment_id=p.experiment_id,
            seq=seq, success=o.success, cost_usd=o.cost_usd, tokens=o.tokens, latency_s=o.latency_s,
            simulations=o.simulations, targets=p.targets, targets_solved=p.targets_solved,
            controls=p.controls, controls_lost=orjson.dumps(list(p.controls_lost)).decode(),
            passed=p.passed, at=env.ts,
        )  # fmt: skip
        if p.passed:
            self.conn.execute(
                update(profiles).where(profiles.c.id == p.profile_id).values(passed_regression=True)
            )

    def _approved(self, seq: int, p: ProfileApproved) -> None:
        row = self.conn.execute(
            select(profiles.c.role, profiles.c.passed_regression, profiles.c.stage).where(
                profiles.c.id == p.profile_id
            )
        ).first()
        if row is None or not row.passed_regression or row.stage == Stage.archived.value:
            return
        previous = self._prod(row.role)
        if previous == p.profile_id:
            return
        if previous is not None:
            self.conn.execute(
                update(profiles).where(profiles.c.id == previous).values(stage=Stage.archived.value)
            )
        self.conn.execute(
            update(profiles)
            .where(profiles.c.id == p.profile_id)
            .values(stage=Stage.production.value)
        )
        self._tag(row.role, p.profile_id, seq)

    def _prod(self, role: str) -> str | None:
        t = profile_tags.c
        found: str | None = self.conn.execute(
            select(t.profile_id).where(t.role == role, t.tag == PROD)
        ).scalar()
        return found

    def _tag(self, role: str, profile_id: str, seq: int) -> None:
        self.conn.execute(
            upsert(profile_tags)
            .values(role=role, tag=PROD, profile_id=profile_id, seq=seq)
            .on_conflict_do_update(
                index_elements=["role", "tag"], set_={"profile_id": profile_id, "seq": seq}
            )
        )
