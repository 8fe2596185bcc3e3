"""The world a recorded run saw: its prompt versions or approved profiles, and the skills
learned before it.

A redrive reads prompts, profiles and skills through a ``PinnedState`` instead of the
live key-value buckets, so skills written, prompts promoted or profiles approved since
the original run do not leak into the re-execution (its requests then hash like the
recorded ones):

    world = pinned_state(bus, engine, run_id, prompts={"engineer": "1.2.0"})
    prompt = await world.prod_prompt("engineer")   # the version the run used
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from sqlalchemy import Engine, Text, func, select

from arena_core.bus import Bus
from arena_core.db.tables import messages
from arena_core.db.team import skill_versions
from arena_core.errors import ArenaError
from arena_core.events.engineer import SkillWritten, SolveJobRequested
from arena_core.events.llm import LlmCallRequested
from arena_core.ids import bounded
from arena_core.profiles import Profile, get_profile
from arena_core.prompts import Prompt
from arena_core.prompts.queries import get_prompt, list_prompts, tagged
from arena_core.prompts.skills import Skill, relevant
from arena_core.state import SharedState


class UnknownPromptPin(ArenaError, LookupError):
    """``--prompt ROLE=VERSION`` names a version the registry does not hold."""


class PinnedState(SharedState):
    """Prompts, profiles and skills fixed when the redrive starts; never read from the
    buckets."""

    def __init__(
        self,
        bus: Bus,
        prompts: Mapping[str, Prompt],
        skills: list[Skill],
        profiles: Mapping[str, Profile] | None = None,
        solve_skills: Mapping[str, list[Skill]] | None = None,
    ) -> None:
        super().__init__(bus)
        self.prompts = dict(prompts)
        """The prompt each role runs on."""
        self.profiles = dict(profiles or {})
        """The approved profile each role ran on; a role missing here ran on its prompt."""
        self.pinned_skills = skills
        """Every skill the original run could read when it started (latest of each slug)."""
        self.solve_skills = dict(solve_skills or {})
        """By solve key: the skills that solve could read (some were learned in the run)."""

    async def prod_prompt(self, role: str) -> Prompt:
        if role in self.prompts:
            return self.prompts[role]
        return await super().prod_prompt(role)

    async def prod_profile(self, role: str) -> Profile | None:
        return self.profiles.get(role)

    async def all_skills(self, role: str | None = None) -> list[Skill]:
        mine = (s for s in self.pinned_skills if role is None or s.role == role)
        return sorted(mine, key=lambda s: (s.role, s.slug))

    async def skills(
        self, role: str, words: list[str], limit: int = 5, *, solve: SolveJobRequested | None = None
    ) -> list[Skill]:
        if solve is not None and solve.skills is not None:  # pinned when it was recorded
            return await super().skills(role, words, limit, solve=solve)
        seen = self.solve_skills.get(solve.key if solve else "", self.pinned_skills)
        mine = sorted((s for s in seen if s.role == role), key=lambda s: s.slug)
        return relevant(mine, words, limit)


def first_seq(engine: Engine, run_id: str) -> int:
    """The sequence of the run's first recorded message."""
    with engine.connect() as conn:
        found = conn.execute(
            select(func.min(messages.c.seq)).where(messages.c.run_id == run_id)
        ).scalar()
    return int(found or 0)


def used_prompts(engine: Engine, run_id: str) -> tuple[dict[str, Prompt], dict[str, Profile]]:
    """What each role's LLM requests named in the run (the first one): a prompt version,
    or the approved profile the role ran on."""
    found: dict[str, str] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.body)
            .where(messages.c.run_id == run_id, messages.c.type == LlmCallRequested.EVENT_TYPE)
            .order_by(messages.c.seq)
        )
        for (body,) in rows:
            ref = orjson.loads(body)["payload"].get("prompt")
            if ref:
                found.setdefault(ref["role"], ref["id"])
    prompts: dict[str, Prompt] = {}
    profiles: dict[str, Profile] = {}
    for role, id in found.items():
        try:
            prompts[role] = get_prompt(engine, id)
        except LookupError:
            profiles[role] = get_profile(engine, id)
    return prompts, profiles


def skills_per_solve(engine: Engine, run_id: str) -> dict[str, list[Skill]]:
    """By solve key: the skills recorded before that solve's engineer first asked its
    model (a solve late in a run sees what earlier solves of the run taught)."""
    conversation = func.json_extract(func.cast(messages.c.body, Text), "$.payload.conversation_id")
    with engine.connect() as conn:
        keys = list(
            conn.execute(
                select(func.json_extract(func.cast(messages.c.body, Text), "$.payload.key")).where(
                    messages.c.run_id == run_id, messages.c.type == SolveJobRequested.EVENT_TYPE
                )
            ).scalars()
        )
        first: dict[str, int] = {
            name: seq
            for name, seq in conn.execute(
                select(conversation, func.min(messages.c.seq))
                .where(messages.c.run_id == run_id, messages.c.type == LlmCallRequested.EVENT_TYPE)
                .group_by(conversation)
            )
        }
    # The engineer's conversation of a solve is named after its key (engineer/service.py).
    asked = {key: first.get(bounded(f"engineer-{key}")) for key in keys if key}
    return {key: skills_before(engine, seq) for key, seq in asked.items() if seq is not None}


def skills_before(engine: Engine, seq: int) -> list[Skill]:
    """The latest version of every skill recorded before ``seq``."""
    with engine.connect() as conn:
        ids = [
            orjson.loads(body)["payload"]["skill_id"]
            for (body,) in conn.execute(
                select(messages.c.body).where(
                    messages.c.type == SkillWritten.EVENT_TYPE, messages.c.seq < seq
                )
            )
        ]
    latest: dict[tuple[str, str], Skill] = {}
    for skill in skill_versions(engine, ids):
        latest[skill.role, skill.slug] = skill
    return list(latest.values())


def prompt_version(engine: Engine, role: str, version: str) -> Prompt:
    """The registered prompt of ``role`` at ``version`` (``prod`` etc. name a tag)."""
    for prompt in list_prompts(engine, role):
        if prompt.version == version:
            return prompt
    try:
        return tagged(engine, role, version)
    except LookupError:
        known = ", ".join(p.version for p in list_prompts(engine, role)) or "none"
        raise UnknownPromptPin(
            f"no {role} prompt version {version!r}; registered: {known}"
        ) from None


def pinned_state(
    bus: Bus, engine: Engine, run_id: str, *, prompts: Mapping[str, str] | None = None
) -> PinnedState:
    """The world ``run_id`` saw, with ``prompts`` (role -> version) forked onto others."""
    chosen, profiles = used_prompts(engine, run_id)
    for role, version in (prompts or {}).items():
        chosen[role] = prompt_version(engine, role, version)
        profiles.pop(role, None)  # forked onto a prompt version: no profile's template
    skills = skills_before(engine, first_seq(engine, run_id))
    return PinnedState(bus, chosen, skills, profiles, skills_per_solve(engine, run_id))
