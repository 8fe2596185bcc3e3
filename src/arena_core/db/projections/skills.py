"""Skills: ``skills`` rows from ``engineer.skill.written``, numbered per slug in log
order, mirrored as ``<workspace>/skills/<role>/<slug>.md``."""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from arena_core.db.projections.artifacts import mirror
from arena_core.db.projections.base import Projection
from arena_core.db.team import SkillRow
from arena_core.events import Envelope
from arena_core.events.engineer import SkillWritten
from arena_core.prompts.skills import Skill, render_markdown

skills = cast(Table, SkillRow.__table__)  # type: ignore[attr-defined]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class SkillsProjection(Projection):
    """Every version of every skill; one row per ``skill_id`` (a redelivered job's
    second copy is ignored)."""

    name = "skills"
    events = (SkillWritten,)
    tables = (skills,)

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if not isinstance(p, SkillWritten):
            return
        if self.conn.execute(select(skills.c.id).where(skills.c.id == p.skill_id)).first():
            return
        latest = self.conn.execute(
            select(func.max(skills.c.version)).where(
                skills.c.role == p.role, skills.c.slug == p.slug
            )
        ).scalar()
        skill = Skill(
            id=p.skill_id, role=p.role, slug=p.slug, version=(latest or 0) + 1,
            content=p.content, failures_before=p.failures_before,
        )  # fmt: skip
        self.conn.execute(
            insert(skills).values(
                id=skill.id, role=skill.role, slug=skill.slug, version=skill.version,
                content=p.content.model_dump_json(), tags=" ".join(sorted(skill.words)),
                run_id=env.run_id, failures_before=p.failures_before, created_at=env.ts,
            )
        )  # fmt: skip
        if self.workspace is not None and _NAME.match(p.role) and _NAME.match(p.slug):
            mirror(
                self.workspace, "skills", f"{p.role}/{p.slug}.md", render_markdown(skill).encode()
            )
