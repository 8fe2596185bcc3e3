"""Plans: ``plans`` rows from the planner's TODO lists and the engineer's item updates,
mirrored as ``<workspace>/<run>/plan.md`` (the latest) and every version as
``<workspace>/<run>/plans/<plan id>/<seq>.md``."""

from __future__ import annotations

from typing import Any, cast

import orjson
from sqlalchemy import Table, select, update

from arena_core.db.once import insert_once
from arena_core.db.projections.artifacts import mirror
from arena_core.db.projections.base import Projection
from arena_core.db.team import PlanRow, render_plan
from arena_core.events import Envelope
from arena_core.events.engineer import PlanCreated, PlanItem, PlanItemUpdated

plans = cast(Table, PlanRow.__table__)  # type: ignore[attr-defined]


class PlansProjection(Projection):
    """One row per plan with its items' latest statuses."""

    name = "plans"
    events = (PlanCreated, PlanItemUpdated)
    tables = (plans,)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, PlanCreated):
            insert_once(
                self.conn, plans, id=p.plan_id, run_id=env.run_id, solve_job_id=p.solve_job_id,
                benchmark_id=p.request.benchmark_id, strategy=p.strategy, items=_dump(p.items),
                created_at=env.ts, updated_at=env.ts,
            )  # fmt: skip
        elif isinstance(p, PlanItemUpdated):
            row = self.conn.execute(select(plans).where(plans.c.id == p.plan_id)).first()
            if row is None:
                return
            items = tuple(PlanItem.model_validate(i) for i in orjson.loads(row.items))
            if p.item_id not in {i.id for i in items}:
                return  # the engineer's tool refuses unknown items; an old log may not
            items = tuple(
                i.model_copy(update={"status": p.status, "note": p.note}) if i.id == p.item_id
                else i
                for i in items
            )  # fmt: skip
            self.conn.execute(
                update(plans)
                .where(plans.c.id == p.plan_id)
                .values(items=_dump(items), updated_at=env.ts)
            )
        else:
            return
        self._mirror(p.plan_id, seq)

    def _mirror(self, plan_id: str, seq: int) -> None:
        if self.workspace is None:
            return
        row = self.conn.execute(select(plans).where(plans.c.id == plan_id)).first()
        if row is None:
            return
        items = tuple(PlanItem.model_validate(i) for i in orjson.loads(row.items))
        text = render_plan(row.benchmark_id, row.strategy, items)
        mirror(self.workspace, row.run_id, "plan.md", text.encode())
        # Every version stays: one file per change, named by the sequence that made it.
        mirror(self.workspace, row.run_id, f"plans/{plan_id}/{seq:09d}.md", text.encode())


def _dump(items: tuple[PlanItem, ...]) -> str:
    return orjson.dumps([i.model_dump(mode="json") for i in items]).decode()
