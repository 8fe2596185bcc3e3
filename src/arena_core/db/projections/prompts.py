"""The prompt registry: ``prompts`` (immutable versions) and ``prompt_tags`` (movable
names) from ``prompt.version.created`` and ``prompt.tag.moved``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.sqlite import insert as upsert

from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.prompts import PromptTagMoved, PromptVersionCreated
from arena_core.prompts.queries import prompt_tags, prompts


class PromptsProjection(Projection):
    """A role's versions in recording order; the first version recorded under a role
    and version wins, and a tag moves only to a recorded prompt of its role."""

    name = "prompts"
    events = (PromptVersionCreated, PromptTagMoved)
    tables = (prompts, prompt_tags)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if isinstance(p, PromptVersionCreated):
            self._version(env, p)
        elif isinstance(p, PromptTagMoved):
            role = self.conn.execute(
                select(prompts.c.role).where(prompts.c.id == p.prompt_id)
            ).scalar()
            if role == p.role:
                self._tag(env, p.role, p.tag, p.prompt_id, move=True)

    def _version(self, env: Envelope[Any], p: PromptVersionCreated) -> None:
        taken = self.conn.execute(
            select(prompts.c.id).where(
                (prompts.c.id == p.prompt_id)
                | ((prompts.c.role == p.role) & (prompts.c.version == p.version))
            )
        ).first()
        if taken is not None:
            return
        self.conn.execute(
            insert(prompts).values(
                id=p.prompt_id, role=p.role, version=p.version, content=p.content,
                sha256=p.sha256, parent_id=p.parent_id, description=p.description,
                created_at=env.ts,
            )
        )  # fmt: skip
        for tag in p.claims:
            self._tag(env, p.role, tag, p.prompt_id, move=False)

    def _tag(self, env: Envelope[Any], role: str, tag: str, prompt_id: str, *, move: bool) -> None:
        values = {"role": role, "tag": tag, "prompt_id": prompt_id, "tagged_at": env.ts}
        statement = upsert(prompt_tags).values(**values)
        if move:
            statement = statement.on_conflict_do_update(
                index_elements=["role", "tag"],
                set_={"prompt_id": prompt_id, "tagged_at": env.ts},
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=["role", "tag"])
        self.conn.execute(statement)
