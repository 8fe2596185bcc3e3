"""Prompt registry events: new immutable versions of a role's template, and tag moves.

The ``prompts`` and ``prompt_tags`` tables are folded from these by the recorder; the
``prod`` prompt of each role reaches every node through the recorder's key-value
projection (``arena_core.state``).
"""

from __future__ import annotations

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.registry import event

TAG_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
ROLE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


@event("prompt.version.created")
class PromptVersionCreated(Payload):
    """A new version of a role's prompt template (prompts are never changed afterwards)."""

    prompt_id: str = Field(min_length=1, max_length=128)
    """``<role>-<version>-<content hash prefix>``: the same text gives the same id anywhere."""
    role: str = Field(pattern=ROLE_PATTERN)
    """Agent role: ``planner``, ``engineer``, ``critic``, ..."""
    version: str = Field(min_length=1, max_length=64)
    """Semantic version, unique per role (the first version recorded wins)."""
    content: str = Field(max_length=200_000)
    """The Jinja2 template."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of ``content``."""
    parent_id: str | None = None
    """The prompt this one was derived from."""
    description: str = Field(default="", max_length=2000)
    """What changed, in words."""
    claims: tuple[str, ...] = Field(default=(), max_length=8)
    """Tags this version takes only if its role has no prompt with that tag yet: a
    packaged default claims ``prod``, so nodes that register it at once never move a
    tag an operator has set."""


@event("prompt.tag.moved")
class PromptTagMoved(Payload):
    """A tag (``prod``, ``candidate``, ...) of a role now points at another version."""

    role: str = Field(pattern=ROLE_PATTERN)
    """The role the tag belongs to."""
    tag: str = Field(pattern=TAG_PATTERN)
    """The tag."""
    prompt_id: str = Field(min_length=1, max_length=128)
    """The prompt it points at from now on (a prompt of ``role``)."""


__all__ = ["PromptTagMoved", "PromptVersionCreated"]
