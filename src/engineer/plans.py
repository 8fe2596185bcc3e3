"""Plans: the planner's TODO list in the DB and as ``workspace/<run>/plan.md``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import orjson
from sqlalchemy import Engine, Table, select, update

from arena_core.db.team import PlanRow
from arena_core.errors import ArenaError
from arena_core.events.engineer import PlanItem, PlanItemStatus

plans = cast(Table, PlanRow.__table__)  # type: ignore[attr-defined]

_MARK = {
    PlanItemStatus.todo: "[ ]",
    PlanItemStatus.in_progress: "[~]",
    PlanItemStatus.done: "[x]",
    PlanItemStatus.blocked: "[!]",
}


class UnknownItem(ArenaError, LookupError):
    """The plan has no item with that id."""


def plan_path(workspace: Path, run_id: str) -> Path:
    return workspace / run_id / "plan.md"


def render_markdown(benchmark_id: str, strategy: str, items: tuple[PlanItem, ...]) -> str:
    lines = [f"# Plan for {benchmark_id}", "", strategy, ""]
    for item in items:
        lines.append(f"- {_MARK[item.status]} **{item.id}** {item.part}: {item.purpose}")
        for constraint in item.constraints:
            lines.append(f"  - constraint: {constraint}")
        lines.append(f"  - acceptance: {item.acceptance}")
        if item.note:
            lines.append(f"  - note: {item.note}")
    return "\n".join(lines) + "\n"


def save_plan(
    engine: Engine,
    workspace: Path,
    *,
    plan_id: str,
    run_id: str,
    solve_job_id: str,
    benchmark_id: str,
    strategy: str,
    items: tuple[PlanItem, ...],
) -> Path:
    """Persist a new plan (idempotent on redelivery) and write its Markdown copy."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            plans.insert()
            .prefix_with("OR IGNORE")
            .values(
                id=plan_id,
                run_id=run_id,
                solve_job_id=solve_job_id,
                benchmark_id=benchmark_id,
                strategy=strategy,
                items=_dump(items),
                created_at=now,
                updated_at=now,
            )
        )
    path = plan_path(workspace, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(benchmark_id, strategy, items))
    return path


def load_items(engine: Engine, plan_id: str) -> tuple[PlanItem, ...]:
    with engine.connect() as conn:
        raw = conn.execute(select(plans.c["items"]).where(plans.c.id == plan_id)).scalar()
    if raw is None:
        raise LookupError(f"no plan {plan_id}")
    return tuple(PlanItem.model_validate(i) for i in orjson.loads(raw))


def update_item(
    engine: Engine,
    workspace: Path,
    *,
    plan_id: str,
    item_id: str,
    status: PlanItemStatus,
    note: str,
) -> tuple[PlanItem, ...]:
    """Change one item's status and note; rewrite the Markdown copy."""
    with engine.begin() as conn:
        row = conn.execute(select(plans).where(plans.c.id == plan_id)).first()
        if row is None:
            raise LookupError(f"no plan {plan_id}")
        items = tuple(PlanItem.model_validate(i) for i in orjson.loads(row._mapping["items"]))
        if item_id not in {i.id for i in items}:
            raise UnknownItem(f"no item {item_id!r}; items: {', '.join(i.id for i in items)}")
        items = tuple(
            i.model_copy(update={"status": status, "note": note}) if i.id == item_id else i
            for i in items
        )
        conn.execute(
            update(plans)
            .where(plans.c.id == plan_id)
            .values(items=_dump(items), updated_at=datetime.now(UTC))
        )
    path = plan_path(workspace, row.run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(row.benchmark_id, row.strategy, items))
    return items


def _dump(items: tuple[PlanItem, ...]) -> str:
    return orjson.dumps([i.model_dump(mode="json") for i in items]).decode()
