"""What a prompt is: an immutable, versioned Jinja2 template of one agent role.

A prompt is never changed: a new wording is a new version (usually with the old one as
parent). Tags such as ``prod`` are names that move between a role's versions; a run
reads the ``prod`` prompt of each role when it starts and names it (``PromptRef``) in
every LLM event it causes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from arena_core.errors import ArenaError
from arena_core.events.llm import PromptRef
from arena_core.llm.templates import render_prompt

PROD = "prod"
"""The tag every run reads."""

PACKAGED_VERSIONS: dict[str, str] = {"planner": "1.0.0", "engineer": "1.0.0", "critic": "1.0.0"}
"""Version of each packaged default template (``defaults/<role>.j2``)."""

ROLE_VARIABLES: dict[str, tuple[str, ...]] = {
    "planner": ("spec", "family", "goal_kind"),
    "engineer": ("spec", "family", "goal_kind", "skills"),
    "critic": ("spec", "family", "goal_kind"),
}
"""The variables a role's template is rendered with (a template may use only these)."""

PACKAGED = "packaged"
"""Description of a packaged default version."""


class PromptError(ArenaError, ValueError):
    """A prompt cannot be added or found."""


class UnknownPrompt(PromptError, LookupError):
    """No prompt with that id, or no prompt with that tag for the role."""


class InvalidPrompt(PromptError):
    """The template or its version is not acceptable (syntax, unknown variable, semver)."""


class Prompt(BaseModel):
    """One version of a role's prompt, with the tags pointing at it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    """``<role>-<version>-<content hash prefix>``."""
    role: str
    """The agent role."""
    version: str
    """Semantic version."""
    content: str
    """The Jinja2 template."""
    parent_id: str | None = None
    """The prompt it was derived from."""
    tags: tuple[str, ...] = ()
    """Tags pointing at it."""
    created_at: datetime | None = None
    """When it was recorded (None: a packaged default not recorded yet)."""
    description: str = ""
    """What changed, in words."""

    @property
    def ref(self) -> PromptRef:
        """How LLM events name this prompt."""
        return PromptRef(id=self.id, role=self.role, version=self.version)

    def render(self, **variables: Any) -> str:
        """The system prompt for these variables."""
        return render_prompt(self.content, **variables)


def prompt_id(role: str, version: str, content: str) -> str:
    """Deterministic id: the same role, version and text give the same id everywhere."""
    return f"{role}-{version}-{sha256(content)[:8]}"


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def packaged_default(role: str) -> str:
    """The text of the default template shipped for ``role``."""
    if role not in PACKAGED_VERSIONS:
        raise UnknownPrompt(f"no packaged prompt for role {role!r}")
    return resources.files("arena_core.prompts").joinpath(f"defaults/{role}.j2").read_text()


def packaged_prompt(role: str) -> Prompt:
    """The packaged default of ``role``: what runs use while no ``prod`` prompt is recorded."""
    content = packaged_default(role)
    version = PACKAGED_VERSIONS[role]
    return Prompt(
        id=prompt_id(role, version, content), role=role, version=version, content=content,
        tags=(PROD,), description=PACKAGED,
    )  # fmt: skip
