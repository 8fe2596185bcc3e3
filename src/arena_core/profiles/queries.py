"""Reading the profile registry from the database (CLI, API, optimizer; read-only)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, select

from arena_core.db.tags import Tags
from arena_core.events.profiles import (
    DifficultyRange,
    Objectives,
    PromptSection,
    Stage,
    TeamSettings,
)
from arena_core.profiles.model import PROD, Profile, UnknownProfile, check_role, packaged_profile
from arena_core.profiles.tables import profile_evaluations, profile_tags, profiles

PROFILE_TAGS = Tags(profile_tags, "profile_id")


def get_profile(engine: Engine, id: str) -> Profile:
    """The profile with this id (a packaged default counts while it is not recorded)."""
    with engine.connect() as conn:
        row = conn.execute(select(profiles).where(profiles.c.id == id)).first()
        tags = PROFILE_TAGS.of(conn, id)
    if row is not None:
        return profile_from_row(row._asdict(), tags)
    for role in _roles_without_prod(engine):
        default = packaged_profile(role)
        if default.id == id:
            return default
    raise UnknownProfile(f"no profile {id!r}")


def prod_profile(engine: Engine, role: str) -> Profile:
    """The role's ``prod`` profile (its packaged default while none is recorded)."""
    check_role(role)
    with engine.connect() as conn:
        id = PROFILE_TAGS.holder(conn, role, PROD)
    return get_profile(engine, id) if id is not None else packaged_profile(role)


def list_profiles(engine: Engine, role: str | None = None) -> list[Profile]:
    """Every recorded profile (of one role) in recording order, then the packaged
    defaults of roles with no ``prod`` profile recorded."""
    with engine.connect() as conn:
        query = select(profiles).order_by(profiles.c.created_seq)
        if role is not None:
            query = query.where(profiles.c.role == role)
        rows = [r._asdict() for r in conn.execute(query)]
        tags = PROFILE_TAGS.by_id(conn)
    found = [profile_from_row(r, tags.get(r["id"], ())) for r in rows]
    found += [packaged_profile(r) for r in _roles_without_prod(engine) if role is None or r == role]
    return found


def evaluations(engine: Engine, role: str | None = None) -> list[tuple[str, Objectives, bool]]:
    """Every regression verdict (of one role's profiles), oldest first:
    (profile id, objectives, passed)."""
    e = profile_evaluations
    query = select(e).order_by(e.c.seq)
    if role is not None:
        query = query.join(profiles, profiles.c.id == e.c.profile_id).where(profiles.c.role == role)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        (
            r.profile_id,
            Objectives(
                success=r.success,
                cost_usd=r.cost_usd,
                tokens=r.tokens,
                latency_s=r.latency_s,
                simulations=r.simulations,
            ),
            bool(r.passed),
        )
        for r in rows
    ]


def _roles_without_prod(engine: Engine) -> list[str]:
    from arena_core.prompts import ROLE_VARIABLES

    with engine.connect() as conn:
        has = PROFILE_TAGS.roles_with(conn, PROD)
    return [r for r in ROLE_VARIABLES if r not in has]


def profile_from_row(row: dict[str, Any], tags: tuple[str, ...]) -> Profile:
    return Profile(
        id=row["id"], role=row["role"], version=row["version"],
        sections=tuple(PromptSection.model_validate(s) for s in orjson.loads(row["sections"])),
        settings=TeamSettings.model_validate_json(row["settings"]),
        difficulty=DifficultyRange(low=row["difficulty_low"], high=row["difficulty_high"]),
        parent_ids=tuple(orjson.loads(row["parent_ids"])), description=row["description"],
        stage=Stage(row["stage"]), passed_regression=bool(row["passed_regression"]),
        tags=tags, created_at=row["created_at"],
    )  # fmt: skip
