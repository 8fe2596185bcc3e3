"""The prompt registry: immutable, versioned Jinja2 templates per agent role, with tags.

A prompt row is never changed: a new wording is a new row (a new semantic version,
usually with the old one as parent). Tags such as ``prod`` are names that move between
a role's versions; a run reads the ``prod`` prompt of each role when it starts and
names it (``PromptRef``) in every LLM event it causes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, cast

from sqlalchemy import Engine, Table, select
from sqlalchemy.dialects.sqlite import insert

from arena_core.errors import ArenaError
from arena_core.events.llm import PromptRef
from arena_core.llm.templates import check_template, is_semver, render_prompt
from arena_core.prompts.tables import PromptRow, PromptTag

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

prompts = cast(Table, PromptRow.__table__)  # type: ignore[attr-defined]
prompt_tags = cast(Table, PromptTag.__table__)  # type: ignore[attr-defined]


class PromptError(ArenaError, ValueError):
    """A prompt cannot be added or found."""


class UnknownPrompt(PromptError, LookupError):
    """No prompt with that id, or no prompt with that tag for the role."""


class InvalidPrompt(PromptError):
    """The template or its version is not acceptable (syntax, unknown variable, semver)."""


@dataclass(frozen=True)
class Prompt:
    """A prompt read from the registry."""

    id: str
    role: str
    version: str
    content: str
    parent_id: str | None
    tags: tuple[str, ...]
    created_at: datetime
    description: str = ""

    @property
    def ref(self) -> PromptRef:
        """How LLM events name this prompt."""
        return PromptRef(id=self.id, role=self.role, version=self.version)

    def render(self, **variables: Any) -> str:
        """The system prompt for these variables."""
        return render_prompt(self.content, **variables)


def prompt_id(role: str, version: str, content: str) -> str:
    """Deterministic id: the same role, version and text give the same id everywhere."""
    digest = hashlib.sha256(content.encode()).hexdigest()[:8]
    return f"{role}-{version}-{digest}"


def packaged_default(role: str) -> str:
    """The text of the default template shipped for ``role``."""
    return resources.files("arena_core.prompts").joinpath(f"defaults/{role}.j2").read_text()


def add_prompt(
    engine: Engine,
    role: str,
    version: str,
    content: str,
    *,
    parent_id: str | None = None,
    description: str = "",
    tags: tuple[str, ...] = (),
) -> Prompt:
    """Write a new prompt row (checked first) and point ``tags`` at it."""
    if not is_semver(version):
        raise InvalidPrompt(f"{version!r} is not a semantic version")
    problems = check_template(content, ROLE_VARIABLES.get(role))
    if problems:
        raise InvalidPrompt("; ".join(str(p) for p in problems))
    new_id = prompt_id(role, version, content)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        existing = conn.execute(
            select(prompts.c.id).where(prompts.c.role == role, prompts.c.version == version)
        ).scalar()
        if existing is not None:
            raise InvalidPrompt(f"{role} {version} exists ({existing}); prompts are immutable")
        if (
            parent_id is not None
            and conn.execute(select(prompts.c.id).where(prompts.c.id == parent_id)).scalar() is None
        ):
            raise UnknownPrompt(f"parent prompt {parent_id!r} does not exist")
        conn.execute(
            prompts.insert().values(
                id=new_id,
                role=role,
                version=version,
                content=content,
                sha256=hashlib.sha256(content.encode()).hexdigest(),
                parent_id=parent_id,
                description=description,
                created_at=now,
            )
        )
    for tag in tags:
        tag_prompt(engine, new_id, tag)
    return get_prompt(engine, new_id)


def tag_prompt(engine: Engine, id: str, tag: str) -> None:
    """Point ``tag`` of the prompt's role at prompt ``id`` (moving it from another version)."""
    with engine.begin() as conn:
        role = conn.execute(select(prompts.c.role).where(prompts.c.id == id)).scalar()
        if role is None:
            raise UnknownPrompt(f"no prompt {id!r}")
        conn.execute(
            insert(prompt_tags)
            .values(role=role, tag=tag, prompt_id=id, tagged_at=datetime.now(UTC))
            .on_conflict_do_update(
                index_elements=["role", "tag"],
                set_={"prompt_id": id, "tagged_at": datetime.now(UTC)},
            )
        )


def get_prompt(engine: Engine, id: str) -> Prompt:
    """The prompt with this id (``UnknownPrompt`` if none)."""
    with engine.connect() as conn:
        row = conn.execute(select(prompts).where(prompts.c.id == id)).first()
        if row is None:
            raise UnknownPrompt(f"no prompt {id!r}")
        tags = conn.execute(
            select(prompt_tags.c.tag).where(prompt_tags.c.prompt_id == id).order_by("tag")
        ).scalars()
        return _prompt(row._asdict(), tuple(tags))


def tagged(engine: Engine, role: str, tag: str = PROD) -> Prompt:
    """The role's prompt carrying ``tag`` (``UnknownPrompt`` if the tag is not set)."""
    with engine.connect() as conn:
        id = conn.execute(
            select(prompt_tags.c.prompt_id).where(
                prompt_tags.c.role == role, prompt_tags.c.tag == tag
            )
        ).scalar()
    if id is None:
        raise UnknownPrompt(f"no {tag!r} prompt for role {role!r}")
    return get_prompt(engine, id)


def list_prompts(engine: Engine, role: str | None = None) -> list[Prompt]:
    """Every prompt (of one role), oldest first."""
    with engine.connect() as conn:
        query = select(prompts).order_by(prompts.c.role, prompts.c.created_at)
        if role is not None:
            query = query.where(prompts.c.role == role)
        rows = [r._asdict() for r in conn.execute(query)]
        tags: dict[str, list[str]] = {}
        for prompt, tag in conn.execute(select(prompt_tags.c.prompt_id, prompt_tags.c.tag)):
            tags.setdefault(prompt, []).append(tag)
    return [_prompt(r, tuple(sorted(tags.get(r["id"], [])))) for r in rows]


def load_packaged_defaults(engine: Engine) -> list[Prompt]:
    """Add the packaged default of each role unless that version exists; tag it ``prod``
    when the role has no ``prod`` prompt yet. Returns the prompts added."""
    added = []
    for role, version in PACKAGED_VERSIONS.items():
        with engine.connect() as conn:
            exists = conn.execute(
                select(prompts.c.id).where(prompts.c.role == role, prompts.c.version == version)
            ).scalar()
            has_prod = conn.execute(
                select(prompt_tags.c.prompt_id).where(
                    prompt_tags.c.role == role, prompt_tags.c.tag == PROD
                )
            ).scalar()
        if exists is None:
            added.append(
                add_prompt(engine, role, version, packaged_default(role), description="packaged")
            )
            exists = added[-1].id
        if has_prod is None:
            tag_prompt(engine, exists, PROD)
    return added


def prod_prompt(engine: Engine, role: str) -> Prompt:
    """The ``prod`` prompt of ``role``, loading the packaged defaults into a fresh database."""
    try:
        return tagged(engine, role, PROD)
    except UnknownPrompt:
        load_packaged_defaults(engine)
        return tagged(engine, role, PROD)


def _prompt(row: dict[str, Any], tags: tuple[str, ...]) -> Prompt:
    return Prompt(
        id=row["id"],
        role=row["role"],
        version=row["version"],
        content=row["content"],
        parent_id=row["parent_id"],
        tags=tags,
        created_at=row["created_at"],
        description=row["description"],
    )
