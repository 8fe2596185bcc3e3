"""Profile registry tables: immutable versions, their stage, tags and regression verdicts.

All three are the profiles projection (``arena_core.db.projections.profiles``): only the
recorder writes them; readers use ``arena_core.profiles.queries``.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Index, Table
from sqlmodel import Field, SQLModel


class ProfileRow(SQLModel, table=True):
    """One profile version; only ``stage`` and ``passed_regression`` change, by events."""

    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_role_version", "role", "version", unique=True),)

    id: str = Field(primary_key=True)
    """``<role>-<version>-<genome hash prefix>``."""
    role: str = Field(index=True)
    """Agent role."""
    version: str
    """Semantic version, unique per role."""
    parent_ids: str = "[]"
    """JSON array of the profiles it was bred from."""
    sections: str
    """JSON array of ``PromptSection``."""
    settings: str
    """``TeamSettings`` as JSON."""
    difficulty_low: int
    """Lowest difficulty it serves."""
    difficulty_high: int
    """Highest difficulty it serves."""
    description: str = ""
    """How it was made."""
    stage: str
    """``Stage``: draft, experimental, candidate, production, archived."""
    passed_regression: bool = False
    """Whether a regression batch ever passed it (approval requires it)."""
    created_seq: int
    """Stream sequence of ``profile.version.created``."""
    created_at: datetime
    """When it was recorded (UTC)."""


class ProfileTag(SQLModel, table=True):
    """A movable name (``prod``) pointing at one profile of a role."""

    __tablename__ = "profile_tags"

    role: str = Field(primary_key=True)
    tag: str = Field(primary_key=True)
    profile_id: str = Field(index=True)
    seq: int
    """Stream sequence of the event that moved it."""


class ProfileEvaluation(SQLModel, table=True):
    """One regression batch's verdict on a profile."""

    __tablename__ = "profile_evaluations"

    profile_id: str = Field(primary_key=True)
    experiment_id: str = Field(primary_key=True)
    seq: int = Field(index=True)
    success: float
    cost_usd: float
    tokens: float
    latency_s: float
    simulations: float
    targets: int
    targets_solved: int
    controls: int
    controls_lost: str = "[]"
    """JSON array of the control benchmarks it failed."""
    passed: bool
    at: datetime


profiles = cast(Table, ProfileRow.__table__)  # type: ignore[attr-defined]
profile_tags = cast(Table, ProfileTag.__table__)  # type: ignore[attr-defined]
profile_evaluations = cast(Table, ProfileEvaluation.__table__)  # type: ignore[attr-defined]
