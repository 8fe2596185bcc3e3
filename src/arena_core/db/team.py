"""Engineering-team tables: plans (the planner's TODO lists) and versioned skills.

Both are projections (``arena_core.db.projections.plans`` and ``.skills``): only the
recorder writes them; readers use the queries below.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import cast

import orjson
from sqlalchemy import Engine, Index, Table, select
from sqlmodel import Field, SQLModel

from arena_core.events.engineer import PlanItem, PlanItemStatus, SkillContent
from arena_core.prompts.skills import Skill

_MARK = {
    PlanItemStatus.todo: "[ ]",
    PlanItemStatus.in_progress: "[~]",
    PlanItemStatus.done: "[x]",
    PlanItemStatus.blocked: "[!]",
}


class PlanRow(SQLModel, table=True):
    """A plan as the planner wrote it, with the items' latest statuses."""

    __tablename__ = "plans"

    id: str = Field(primary_key=True)
    """Plan id."""
    run_id: str = Field(index=True)
    """The run of the solve."""
    solve_job_id: str = Field(index=True)
    """The ``solve.job.requested`` it answers."""
    benchmark_id: str = Field(index=True)
    """The benchmark."""
    strategy: str
    """The approach in words."""
    items: str
    """The TODO items as a JSON array (``PlanItem``)."""
    created_at: datetime
    """When the plan was written (UTC)."""
    updated_at: datetime
    """When an item last changed (UTC)."""


class SkillRow(SQLModel, table=True):
    """One version of a learned skill; a new version is a new row."""

    __tablename__ = "skills"
    __table_args__ = (Index("ix_skills_role_slug_version", "role", "slug", "version", unique=True),)

    id: str = Field(primary_key=True)
    """Row id."""
    role: str = Field(index=True)
    """Role that uses the skill."""
    slug: str
    """Stable name across versions."""
    version: int
    """1, 2, ..."""
    content: str
    """The ``SkillContent`` as JSON."""
    tags: str
    """Space-separated search words."""
    run_id: str
    """The run that taught it."""
    failures_before: int
    """Failed attempts before the success."""
    created_at: datetime
    """When it was written (UTC)."""


def plan_path(workspace: Path, run_id: str) -> Path:
    """Where the recorder mirrors a run's plan as Markdown."""
    return workspace / run_id / "plan.md"


def render_plan(benchmark_id: str, strategy: str, items: tuple[PlanItem, ...]) -> str:
    """The Markdown mirror of a plan."""
    lines = [f"# Plan for {benchmark_id}", "", strategy, ""]
    for item in items:
        lines.append(f"- {_MARK[item.status]} **{item.id}** {item.part}: {item.purpose}")
        for constraint in item.constraints:
            lines.append(f"  - constraint: {constraint}")
        lines.append(f"  - acceptance: {item.acceptance}")
        if item.note:
            lines.append(f"  - note: {item.note}")
    return "\n".join(lines) + "\n"


def plan_items(engine: Engine, plan_id: str) -> tuple[PlanItem, ...]:
    """The items of a recorded plan with their latest statuses (``LookupError`` if none)."""
    with engine.connect() as conn:
        plans = cast(Table, PlanRow.__table__)  # type: ignore[attr-defined]
        raw = conn.execute(select(plans.c["items"]).where(plans.c.id == plan_id)).scalar()
    if raw is None:
        raise LookupError(f"no plan {plan_id}")
    return tuple(PlanItem.model_validate(i) for i in orjson.loads(raw))


def skill_versions(engine: Engine, ids: Iterable[str]) -> list[Skill]:
    """The recorded skill versions of ``ids`` (ids not recorded are left out), by role,
    slug and version."""
    skills = cast(Table, SkillRow.__table__)  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(skills)
            .where(skills.c.id.in_(list(ids)))
            .order_by(skills.c.role, skills.c.slug, skills.c.version)
        ).all()
    return [
        Skill(
            id=row.id,
            role=row.role,
            slug=row.slug,
            version=row.version,
            content=SkillContent.model_validate_json(row.content),
            failures_before=row.failures_before,
        )
        for row in rows
    ]
