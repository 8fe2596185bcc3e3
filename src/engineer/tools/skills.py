"""``read_skills`` and ``write_skill``: what earlier benchmarks taught, shared by every node."""

from __future__ import annotations

from pydantic import Field

from arena_core.events.engineer import SkillContent, SkillWritten
from arena_core.prompts.skills import skill_path, slugify
from engineer.session import EngineerSession
from engineer.tools.base import Args, as_json

ROLE = "engineer"


class SkillQuery(Args):
    query: str = Field(description="Words to look for: benchmark family, goal kind, part kinds.")


class WriteSkillArgs(Args):
    skill: SkillContent


async def read_skills(session: EngineerSession, args: SkillQuery) -> str:
    words = [w for w in args.query.replace(",", " ").split() if w]
    found = await session.state.skills(ROLE, words, solve=session.request)
    return as_json(
        [
            {
                "title": s.content.title,
                "version": s.version,
                **s.content.model_dump(mode="json", exclude={"title"}),
            }
            for s in found
        ]
    )


async def write_skill(session: EngineerSession, args: WriteSkillArgs) -> str:
    """Publish the skill; the recorder numbers its version and shares it with every node.

    Its id comes from the plan and how many skills this solve wrote before, so a
    redelivered job writes the same id and the recording keeps one row.
    """
    slug = slugify(args.skill.title)
    session.skills_written += 1
    await session.delivery.emit(
        SkillWritten(
            skill_id=f"{session.plan_id}-skill-{session.skills_written}",
            role=ROLE,
            slug=slug,
            content=args.skill,
            path=skill_path(ROLE, slug),
            failures_before=session.failures,
        )
    )
    return f"skill {slug} written"
