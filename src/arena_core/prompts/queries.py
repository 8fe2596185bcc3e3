"""Reading the registry from the database (CLI and API; read-only)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Engine, Table, select

from arena_core.db.tags import Tags
from arena_core.prompts.model import PACKAGED_VERSIONS, PROD, Prompt, UnknownPrompt, packaged_prompt
from arena_core.prompts.tables import PromptRow, PromptTag

prompts = cast(Table, PromptRow.__table__)  # type: ignore[attr-defined]
prompt_tags = cast(Table, PromptTag.__table__)  # type: ignore[attr-defined]
PROMPT_TAGS = Tags(prompt_tags, "prompt_id")


def get_prompt(engine: Engine, id: str) -> Prompt:
    """The prompt with this id (a packaged default counts while it is not recorded)."""
    with engine.connect() as conn:
        row = conn.execute(select(prompts).where(prompts.c.id == id)).first()
        tags = PROMPT_TAGS.of(conn, id)
    if row is not None:
        return prompt_from_row(row._asdict(), tags)
    for prompt in _unrecorded_defaults(engine):
        if prompt.id == id:
            return prompt
    raise UnknownPrompt(f"no prompt {id!r}")


def tagged(engine: Engine, role: str, tag: str = PROD) -> Prompt:
    """The role's prompt carrying ``tag``; for ``prod`` with none recorded, the packaged
    default (what runs use). ``UnknownPrompt`` if there is none."""
    with engine.connect() as conn:
        id = PROMPT_TAGS.holder(conn, role, tag)
    if id is not None:
        return get_prompt(engine, id)
    if tag == PROD and role in PACKAGED_VERSIONS:
        return packaged_prompt(role)
    raise UnknownPrompt(f"no {tag!r} prompt for role {role!r}")


def list_prompts(engine: Engine, role: str | None = None) -> list[Prompt]:
    """Every recorded prompt (of one role), oldest first, then the packaged defaults of
    roles with no ``prod`` prompt recorded."""
    with engine.connect() as conn:
        query = select(prompts).order_by(prompts.c.role, prompts.c.created_at)
        if role is not None:
            query = query.where(prompts.c.role == role)
        rows = [r._asdict() for r in conn.execute(query)]
        tags = PROMPT_TAGS.by_id(conn)
    found = [prompt_from_row(r, tags.get(r["id"], ())) for r in rows]
    found += [p for p in _unrecorded_defaults(engine) if role is None or p.role == role]
    return found


def _unrecorded_defaults(engine: Engine) -> list[Prompt]:
    with engine.connect() as conn:
        has_prod = PROMPT_TAGS.roles_with(conn, PROD)
    return [packaged_prompt(r) for r in PACKAGED_VERSIONS if r not in has_prod]


def prompt_from_row(row: dict[str, Any], tags: tuple[str, ...]) -> Prompt:
    return Prompt(
        id=row["id"], role=row["role"], version=row["version"], content=row["content"],
        parent_id=row["parent_id"], tags=tags, created_at=row["created_at"],
        description=row["description"],
    )  # fmt: skip
