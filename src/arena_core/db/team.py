"""Engineering-team tables: plans (the planner's TODO lists) and versioned skills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


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
