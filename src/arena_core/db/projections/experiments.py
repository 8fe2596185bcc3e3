"""Experiments: each optimize job and the variants it tried (``db/experiments``).

Folding rules: an ``optimize.job.requested`` opens an experiment; events the optimizer
emits while serving it (``causation_id`` = the job) fill it in — a profile version it
created is a variant (with its parents), a guard rejection, a lost batch (the variant
archived before any verdict) and a regression verdict set the variant's verdict and
objectives, and the job's answer closes it and marks the front and the promoted.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select, update

from arena_core.db.experiments import experiment_variants, experiments
from arena_core.db.once import insert_once
from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.optimizer import (
    GuardRejected,
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
)
from arena_core.events.profiles import (
    ProfileEvaluated,
    ProfileStageMoved,
    ProfileVersionCreated,
    Stage,
)
from arena_core.profiles.experiments import Verdict


class ExperimentsProjection(Projection):
    """Optimize jobs as experiments: variants, verdicts, objectives, front, lineage."""

    name = "experiments"
    events = (
        OptimizeJobRequested,
        OptimizeJobCompleted,
        OptimizeJobFailed,
        ProfileVersionCreated,
        ProfileEvaluated,
        ProfileStageMoved,
        GuardRejected,
    )
    tables = (experiments, experiment_variants)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, OptimizeJobRequested):
            insert_once(
                self.conn, experiments, id=env.id, seq=seq, role=p.role,
                start_profile_id=p.profile_id, seed=p.seed, generations=p.generations,
                population=p.population, status="running", requested_at=env.ts,
            )  # fmt: skip
            return
        job = env.causation_id
        if job is None or not self._open(job):
            return
        if isinstance(p, OptimizeJobCompleted):
            self._closed(job, env, "completed", evaluated=p.evaluated)
            for member in p.front:
                self._variant(job, member.profile_id, seq, parent_ids=member.parent_ids)
                self._set(job, member.profile_id, front=True, promoted=member.promoted)
            for pid in p.promoted:
                self._set(job, pid, promoted=True)
        elif isinstance(p, OptimizeJobFailed):
            self._closed(job, env, "failed", reason=p.reason.value, detail=p.detail)
        elif isinstance(p, ProfileVersionCreated):
            self._variant(job, p.profile_id, seq, parent_ids=p.parent_ids)
        elif isinstance(p, GuardRejected):
            self._variant(job, p.profile_id, seq)
            self._set(job, p.profile_id, verdict=Verdict.rejected.value)
        elif isinstance(p, ProfileStageMoved):
            if p.stage is Stage.archived and self._verdict(job, p.profile_id) == Verdict.pending:
                self._set(job, p.profile_id, verdict=Verdict.lost_solves.value)
        elif isinstance(p, ProfileEvaluated):
            self._variant(job, p.profile_id, seq)
            o = p.objectives
            self._set(
                job, p.profile_id,
                verdict=(Verdict.passed if p.passed else Verdict.lost_control).value,
                success=o.success, cost_usd=o.cost_usd, tokens=o.tokens,
                latency_s=o.latency_s, simulations=o.simulations, targets=p.targets,
                targets_solved=p.targets_solved, controls=p.controls,
                controls_lost=orjson.dumps(list(p.controls_lost)).decode(),
            )  # fmt: skip

    def _open(self, job: str) -> bool:
        found = self.conn.execute(select(experiments.c.id).where(experiments.c.id == job))
        return found.first() is not None

    def _closed(self, job: str, env: Envelope[Any], status: str, **values: Any) -> None:
        self.conn.execute(
            update(experiments)
            .where(experiments.c.id == job, experiments.c.status == "running")
            .values(status=status, finished_at=env.ts, **values)
        )

    def _variant(
        self, job: str, profile_id: str, seq: int, parent_ids: tuple[str, ...] = ()
    ) -> None:
        insert_once(
            self.conn, experiment_variants, experiment_id=job, profile_id=profile_id, seq=seq,
            parent_ids=orjson.dumps(list(parent_ids)).decode(),
        )  # fmt: skip

    def _verdict(self, job: str, profile_id: str) -> str | None:
        v = experiment_variants.c
        return self.conn.execute(
            select(v.verdict).where(v.experiment_id == job, v.profile_id == profile_id)
        ).scalar()

    def _set(self, job: str, profile_id: str, **values: Any) -> None:
        v = experiment_variants.c
        self.conn.execute(
            update(experiment_variants)
            .where(v.experiment_id == job, v.profile_id == profile_id)
            .values(**values)
        )
