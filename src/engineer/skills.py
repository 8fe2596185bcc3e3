"""Learned skills: versioned DB rows, mirrored as Markdown in ``workspace/skills/<role>/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, Table, func, select

from arena_core.db.team import SkillRow
from arena_core.events.engineer import SkillContent
from arena_core.ids import new_id

skills = cast(Table, SkillRow.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Skill:
    """One version of a skill."""

    id: str
    role: str
    slug: str
    version: int
    content: SkillContent
    failures_before: int


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64] or "skill"


def write_skill(
    engine: Engine,
    workspace: Path,
    *,
    role: str,
    content: SkillContent,
    run_id: str,
    failures_before: int,
) -> tuple[Skill, Path]:
    """Add a skill, or a new version of the skill with the same title; mirror it as Markdown."""
    slug = slugify(content.title)
    with engine.begin() as conn:
        latest = conn.execute(
            select(func.max(skills.c.version)).where(skills.c.role == role, skills.c.slug == slug)
        ).scalar()
        skill = Skill(new_id(), role, slug, (latest or 0) + 1, content, failures_before)
        conn.execute(
            skills.insert().values(
                id=skill.id,
                role=role,
                slug=slug,
                version=skill.version,
                content=content.model_dump_json(),
                tags=" ".join(sorted({t.lower() for t in content.tags})),
                run_id=run_id,
                failures_before=failures_before,
                created_at=datetime.now(UTC),
            )
        )
    path = workspace / "skills" / role / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(skill))
    return skill, path


def render_markdown(skill: Skill) -> str:
    c = skill.content
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(c.steps, start=1))
    return (
        f"# {c.title}\n\nversion {skill.version} · tags: {', '.join(c.tags)}\n\n"
        f"## When to use\n\n{c.when_to_use}\n\n## Steps\n\n{steps}\n\n"
        f"## Example\n\n```\n{c.example}\n```\n"
    )


def relevant_skills(engine: Engine, role: str, words: list[str], limit: int = 5) -> list[Skill]:
    """The latest version of each of the role's skills sharing a tag with ``words``, best first."""
    wanted = {w.lower() for w in words}
    with engine.connect() as conn:
        rows = conn.execute(
            select(skills).where(skills.c.role == role).order_by(skills.c.slug, skills.c.version)
        ).all()
    latest: dict[str, Skill] = {}
    overlap: dict[str, int] = {}
    for row in rows:
        tags = set(row.tags.split())
        latest[row.slug] = Skill(
            row.id,
            row.role,
            row.slug,
            row.version,
            SkillContent.model_validate_json(row.content),
            row.failures_before,
        )
        overlap[row.slug] = len(tags & wanted)
    ranked = sorted(
        (s for s in latest.values() if overlap[s.slug]), key=lambda s: (-overlap[s.slug], s.slug)
    )
    return ranked[:limit]
