"""Shared state as a service reads it: from JetStream key-value, never from a local file.

    state = SharedState(bus)
    prompt = await state.prod_prompt("engineer")
    found = await state.skills("engineer", ["ball_to_goal", "reach_zone"])

Values are read when asked (a run reads its prompt once, when it starts), so a
promotion made on any node applies to the next run everywhere.
"""

from __future__ import annotations

import logging

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from arena_core.bus import Bus
from arena_core.events.engineer import SolveJobRequested
from arena_core.profiles import Profile
from arena_core.prompts import PROD, Prompt, packaged_prompt, packaged_registration
from arena_core.prompts.skills import Skill, relevant
from arena_core.query import SkillsQuery, ask
from arena_core.state.buckets import (
    PROFILES,
    PROMPTS,
    SKILLS,
    live_values,
    open_bucket,
    profile_key,
    prompt_key,
)

log = logging.getLogger("arena.state")


class SharedState:
    """Reads prompts and skills from the recorder's key-value projection."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._registered: set[str] = set()
        self._pinned: tuple[tuple[str, ...], list[Skill]] | None = None

    async def prod_prompt(self, role: str) -> Prompt:
        """The ``prod`` prompt of ``role``; with none recorded anywhere, the packaged
        default, which is then published as the role's first version."""
        kv = await self._bucket(PROMPTS)
        if kv is not None:
            try:
                entry = await kv.get(prompt_key(role, PROD))
            except KeyNotFoundError:
                entry = None
            if entry is not None and entry.value:
                return Prompt.model_validate_json(entry.value)
        prompt = packaged_prompt(role)
        if role not in self._registered:
            await self.bus.publish(packaged_registration(role))
            self._registered.add(role)
        return prompt

    async def prod_profile(self, role: str) -> Profile | None:
        """The approved (``prod``) profile of ``role``; None while none is recorded (runs
        then use the ``prod`` prompt and the built-in settings)."""
        kv = await self._bucket(PROFILES)
        if kv is None:
            return None
        try:
            entry = await kv.get(profile_key(role, PROD))
        except KeyNotFoundError:
            return None
        return Profile.model_validate_json(entry.value) if entry.value else None

    async def all_skills(self, role: str | None = None) -> list[Skill]:
        """The latest version of every skill of ``role`` (None: of every role)."""
        values = await live_values(self.bus.js, SKILLS, f"{role}.>" if role else ">")
        found = [Skill.model_validate_json(v) for v in values.values()]
        return sorted(found, key=lambda s: (s.role, s.slug))

    async def skills(
        self, role: str, words: list[str], limit: int = 5, *, solve: SolveJobRequested | None = None
    ) -> list[Skill]:
        """The role's skills sharing a tag with ``words``: of the versions ``solve`` was
        pinned to by its batch, else the latest version of each (``solve``: the solve
        asking, so a redrive can also answer what it saw then)."""
        if solve is not None and solve.skills is not None:
            found = await self.skill_versions(solve.skills)
            return relevant((s for s in found if s.role == role), words, limit)
        return relevant(await self.all_skills(role), words, limit)

    async def skill_versions(self, ids: tuple[str, ...]) -> list[Skill]:
        """The skill versions of ``ids``, read from the recording (a version a later one
        replaced is no longer in the bucket); the last set asked is kept, as every
        rollout of a batch asks for the same."""
        if self._pinned is None or self._pinned[0] != ids:
            answer = await ask(self.bus, SkillsQuery(ids=ids))
            self._pinned = (ids, list(answer.skills))
        return self._pinned[1]

    async def _bucket(self, name: str) -> KeyValue | None:
        return await open_bucket(self.bus.js, name)
