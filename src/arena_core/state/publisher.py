"""The recorder's side of shared state: after each commit, the key-value buckets are
made equal to the tables (``arena_core.state.buckets``), so they are a projection too.

On start (and after ``arena db rebuild``) every key is rewritten and keys the tables no
longer have are deleted; after a batch that recorded a prompt or skill event, only the
keys whose value changed are written.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from sqlalchemy import Engine, Table, select

from arena_core.db.team import SkillRow
from arena_core.events import SUBJECT_PREFIX
from arena_core.events.engineer import SkillContent, SkillWritten
from arena_core.profiles import get_profile
from arena_core.profiles.tables import profile_tags
from arena_core.prompts.queries import prompt_from_row, prompt_tags, prompts
from arena_core.prompts.skills import Skill
from arena_core.state.buckets import (
    BUCKETS,
    PROFILES,
    PROMPTS,
    SKILLS,
    ensure_bucket,
    live_values,
    profile_key,
    prompt_key,
    skill_key,
)

skills = cast(Table, SkillRow.__table__)  # type: ignore[attr-defined]

State = dict[str, dict[str, bytes]]
"""Bucket -> key -> value."""

_SUBJECTS = (
    f"{SUBJECT_PREFIX}.prompt.",
    f"{SUBJECT_PREFIX}.profile.",
    f"{SUBJECT_PREFIX}.{SkillWritten.EVENT_TYPE}",
)


def touches(subject: str) -> bool:
    """Whether a recorded message can change the shared state."""
    return subject.startswith(_SUBJECTS)


def current_state(engine: Engine) -> State:
    """What the buckets must hold, read from the tables."""
    state: State = {PROMPTS: {}, SKILLS: {}, PROFILES: _profiles(engine)}
    with engine.connect() as conn:
        tags: dict[str, list[tuple[str, str]]] = {}
        for role, tag, id in conn.execute(
            select(prompt_tags.c.role, prompt_tags.c.tag, prompt_tags.c.prompt_id)
        ):
            tags.setdefault(id, []).append((role, tag))
        rows = conn.execute(select(prompts).where(prompts.c.id.in_(list(tags)))).all()
        for row in rows:
            pointing = tags[row.id]
            prompt = prompt_from_row(row._asdict(), tuple(sorted(t for _, t in pointing)))
            for role, tag in pointing:
                state[PROMPTS][prompt_key(role, tag)] = prompt.model_dump_json().encode()
        for row in conn.execute(
            select(skills).order_by(skills.c.role, skills.c.slug, skills.c.version)
        ):
            skill = Skill(
                id=row.id, role=row.role, slug=row.slug, version=row.version,
                content=SkillContent.model_validate_json(row.content),
                failures_before=row.failures_before,
            )  # fmt: skip
            state[SKILLS][skill_key(row.role, row.slug)] = skill.model_dump_json().encode()
    return state


def _profiles(engine: Engine) -> dict[str, bytes]:
    found = {}
    for role, tag, id in _profile_tags(engine):
        profile = get_profile(engine, id)
        found[profile_key(role, tag)] = profile.model_dump_json().encode()
    return found


def _profile_tags(engine: Engine) -> list[tuple[str, str, str]]:
    t = profile_tags.c
    with engine.connect() as conn:
        return [
            (r.role, r.tag, r.profile_id) for r in conn.execute(select(t.role, t.tag, t.profile_id))
        ]


class StatePublisher:
    """Keeps the shared-state buckets equal to the database."""

    def __init__(self, js: JetStreamContext, engine: Engine, *, replicas: int = 1) -> None:
        self.js = js
        self.engine = engine
        self.replicas = replicas
        self._buckets: dict[str, KeyValue] = {}
        self._written: State = {}

    async def sync(self) -> int:
        """Write what changed since the last sync (everything on the first); return the
        number of keys written or deleted."""
        if not self._buckets:
            for name in BUCKETS:
                self._buckets[name] = await ensure_bucket(self.js, name, replicas=self.replicas)
        first = not self._written
        wanted = await asyncio.to_thread(current_state, self.engine)
        changes = 0
        for name, values in wanted.items():
            kv = self._buckets[name]
            before = self._written.get(name, {})
            stale = set(await live_values(self.js, name)) if first else set(before)
            for key, value in values.items():
                if first or before.get(key) != value:
                    await kv.put(key, value)
                    changes += 1
            for key in stale - set(values):
                with contextlib.suppress(KeyNotFoundError):
                    await kv.delete(key)
                changes += 1
        self._written = wanted
        return changes


async def sync_state(js: JetStreamContext, engine: Engine, *, replicas: int = 1) -> int:
    """Make the buckets equal to the database once (``arena db rebuild``)."""
    return await StatePublisher(js, engine, replicas=replicas).sync()
