"""What a profile is: a role's genome (prompt sections, team settings, difficulty range).

A profile is never changed: a variant is a new version with its parents named. The
role's template is its sections joined by blank lines; a role's packaged default
profile is the packaged prompt split into sections, with the built-in settings.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import orjson
from pydantic import BaseModel, ConfigDict

from arena_core.errors import ArenaError
from arena_core.events.profiles import (
    DifficultyRange,
    ProfileVersionCreated,
    PromptSection,
    Stage,
    TeamSettings,
)
from arena_core.llm.templates import check_template, is_semver
from arena_core.prompts import PACKAGED_VERSIONS, ROLE_VARIABLES, packaged_default

PROD = "prod"
"""The tag of the profile every run of a role uses."""

SEPARATOR = "\n\n"
"""Joins sections into the role's template."""


class ProfileError(ArenaError, ValueError):
    """A profile cannot be added, found or moved."""


class UnknownProfile(ProfileError, LookupError):
    """No profile with that id, or no such role."""


class InvalidProfile(ProfileError):
    """The genome is not acceptable (template syntax, unknown variable, semver)."""


class NotApprovable(ProfileError):
    """Approval refused: the profile never passed a regression batch, or is archived."""


class Profile(BaseModel):
    """One profile version as read from the registry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    role: str
    version: str
    sections: tuple[PromptSection, ...]
    settings: TeamSettings = TeamSettings()
    difficulty: DifficultyRange = DifficultyRange()
    parent_ids: tuple[str, ...] = ()
    description: str = ""
    stage: Stage = Stage.draft
    passed_regression: bool = False
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    """When it was recorded (None: a packaged default not recorded yet)."""

    @property
    def template(self) -> str:
        """The role's Jinja2 template: the non-empty sections joined by blank lines."""
        return join_sections(self.sections)

    def section(self, name: str) -> str:
        return next((s.text for s in self.sections if s.name == name), "")


def join_sections(sections: tuple[PromptSection, ...]) -> str:
    return SEPARATOR.join(s.text for s in sections if s.text.strip())


def split_template(template: str) -> tuple[PromptSection, ...]:
    """Sections of a template: paragraphs (a Jinja block stays whole); the first is the
    ``instructions``, a trailing block is the ``examples``, the rest ``constraints``."""
    chunks: list[str] = []
    for part in template.split(SEPARATOR):
        if chunks and _open_blocks(chunks[-1]) > 0:
            chunks[-1] += SEPARATOR + part
        else:
            chunks.append(part)
    sections = [PromptSection(name="instructions", text=chunks[0])]
    rest = chunks[1:]
    examples = rest.pop() if rest and "{%" in rest[-1] else None
    if rest:
        sections.append(PromptSection(name="constraints", text=SEPARATOR.join(rest)))
    if examples is not None:
        sections.append(PromptSection(name="examples", text=examples))
    return tuple(sections)


def _open_blocks(text: str) -> int:
    opened = text.count("{% if") + text.count("{% for") + text.count("{%- if")
    closed = text.count("{% endif") + text.count("{% endfor") + text.count("{%- endif")
    return opened - closed


def genome_key(
    sections: tuple[PromptSection, ...], settings: TeamSettings, difficulty: DifficultyRange
) -> str:
    """SHA-256 of the genome's canonical JSON: equal genomes, equal keys."""
    body = orjson.dumps(
        {
            "sections": [s.model_dump() for s in sections],
            "settings": settings.model_dump(),
            "difficulty": difficulty.model_dump(),
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(body).hexdigest()


def profile_id(role: str, version: str, key: str) -> str:
    return f"{role}-{version}-{key[:8]}"


def check_role(role: str) -> None:
    if role not in ROLE_VARIABLES:
        raise UnknownProfile(f"no role {role!r} (roles: {', '.join(sorted(ROLE_VARIABLES))})")


def new_profile(
    role: str,
    version: str,
    sections: tuple[PromptSection, ...],
    *,
    settings: TeamSettings | None = None,
    difficulty: DifficultyRange | None = None,
    parent_ids: tuple[str, ...] = (),
    description: str = "",
    stage: Stage = Stage.draft,
) -> ProfileVersionCreated:
    """The event recording a new profile version (checked: role, semver, template)."""
    check_role(role)
    if not is_semver(version):
        raise InvalidProfile(f"{version!r} is not a semantic version")
    problems = check_template(join_sections(sections), ROLE_VARIABLES[role])
    if problems:
        raise InvalidProfile("; ".join(str(p) for p in problems))
    settings = settings or TeamSettings()
    difficulty = difficulty or DifficultyRange()
    return ProfileVersionCreated(
        profile_id=profile_id(role, version, genome_key(sections, settings, difficulty)),
        role=role, version=version, parent_ids=parent_ids, sections=sections,
        settings=settings, difficulty=difficulty, description=description, stage=stage,
    )  # fmt: skip


def packaged_profile_event(role: str) -> ProfileVersionCreated:
    """The role's packaged default as a recorded version (it claims ``prod``)."""
    check_role(role)
    return new_profile(
        role, PACKAGED_VERSIONS.get(role, "1.0.0"), split_template(packaged_default(role)),
        description="packaged", stage=Stage.production,
    )  # fmt: skip


def packaged_profile(role: str) -> Profile:
    """The role's packaged default profile: what runs use while none is recorded."""
    e = packaged_profile_event(role)
    return Profile(
        id=e.profile_id, role=role, version=e.version, sections=e.sections,
        settings=e.settings, difficulty=e.difficulty, description=e.description,
        stage=Stage.production, passed_regression=True, tags=(PROD,),
    )  # fmt: skip


def bump(version: str, part: str = "minor") -> str:
    """The next semantic version (``1.2.3`` -> ``1.3.0`` for ``minor``)."""
    core = version.split("-")[0].split("+")[0]
    major, minor, patch = (int(x) for x in core.split("."))
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return f"{major}.{minor + 1}.0"
