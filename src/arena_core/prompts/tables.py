"""Prompt registry tables: immutable prompt rows and the tags that point at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PromptRow(SQLModel, table=True):
    """One version of one role's prompt template; never updated or deleted."""

    __tablename__ = "prompts"
    __table_args__ = (Index("ix_prompts_role_version", "role", "version", unique=True),)

    id: str = Field(primary_key=True)
    """``<role>-<version>-<content hash prefix>``."""
    role: str = Field(index=True)
    """Agent role: ``planner``, ``engineer``, ``critic``, ..."""
    version: str
    """Semantic version, unique per role."""
    content: str
    """The Jinja2 template."""
    sha256: str
    """SHA-256 of ``content``."""
    parent_id: str | None = None
    """The prompt this one was derived from."""
    description: str = ""
    """What changed, in words."""
    created_at: datetime
    """When the row was written (UTC)."""


class PromptTag(SQLModel, table=True):
    """A movable name (``prod``, ``candidate``, ...) pointing at one prompt of a role."""

    __tablename__ = "prompt_tags"

    role: str = Field(primary_key=True)
    """Role the tag belongs to."""
    tag: str = Field(primary_key=True)
    """The tag, e.g. ``prod``."""
    prompt_id: str = Field(index=True)
    """The prompt it points at."""
    tagged_at: datetime
    """When it was last moved (UTC)."""
