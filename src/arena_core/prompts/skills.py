"""Learned skills: what the engineer's prompt lists, and which ones fit a benchmark."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from arena_core.events.engineer import SkillContent


class Skill(BaseModel):
    """One version of a skill."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    """Row id (from the event that wrote it)."""
    role: str
    """Role that uses it."""
    slug: str
    """Stable name across versions."""
    version: int
    """1, 2, ... in recording order."""
    content: SkillContent
    """What it teaches."""
    failures_before: int
    """Failed attempts before the success that taught it."""

    @property
    def words(self) -> frozenset[str]:
        """What it is found by: its tags, lower case."""
        return frozenset(t.lower() for t in self.content.tags)


def slugify(title: str) -> str:
    """The slug of a skill title: versions of one title share it."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64] or "skill"


def skill_path(role: str, slug: str) -> str:
    """Where the recorder mirrors a skill, relative to its workspace."""
    return f"skills/{role}/{slug}.md"


def relevant(skills: Iterable[Skill], words: Iterable[str], limit: int = 5) -> list[Skill]:
    """The skills sharing a tag with ``words``, most shared tags first, then by slug."""
    wanted = {w.lower() for w in words}
    scored = [(len(s.words & wanted), s) for s in skills]
    ranked = sorted((x for x in scored if x[0]), key=lambda x: (-x[0], x[1].slug))
    return [s for _, s in ranked[:limit]]


def render_markdown(skill: Skill) -> str:
    """The Markdown mirror of a skill version."""
    c = skill.content
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(c.steps, start=1))
    return (
        f"# {c.title}\n\nversion {skill.version} · tags: {', '.join(c.tags)}\n\n"
        f"## When to use\n\n{c.when_to_use}\n\n## Steps\n\n{steps}\n\n"
        f"## Example\n\n```\n{c.example}\n```\n"
    )
