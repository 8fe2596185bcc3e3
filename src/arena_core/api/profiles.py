"""``/profiles``: the agents' profile versions (genomes), their stages, tags and approval.

Approving is an event (``profile.approved``, admin scope, the token's name as approver);
the recorder moves ``prod`` to the profile only if it passed a regression batch, so
the API refuses up front what the projection would ignore.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.api.publish import publish
from arena_core.events import Envelope
from arena_core.events.profiles import ProfileApproved, Stage
from arena_core.profiles import (
    Profile,
    ProfileError,
    UnknownProfile,
    get_profile,
    list_profiles,
    prod_profile,
)

PROFILE_ID = Path(min_length=1, max_length=128, description="A profile id.")


def found_profile(ctx: ApiContext, profile_id: str) -> Profile:
    """The profile ``profile_id``; a 404 problem when there is none."""
    try:
        return get_profile(ctx.engine, profile_id)
    except UnknownProfile:
        raise ApiProblem(ProblemKind.not_found, f"no profile {profile_id!r}") from None


def with_prod(ctx: ApiContext, profile_id: str) -> tuple[Profile, Profile]:
    """The profile ``profile_id`` and its role's ``prod`` profile (404 when there is none)."""
    profile = found_profile(ctx, profile_id)
    try:
        return profile, prod_profile(ctx.engine, profile.role)
    except UnknownProfile:
        raise ApiProblem(ProblemKind.not_found, f"no profile {profile_id!r}") from None


class ProfileList(BaseModel):
    """Profile versions in recording order (then packaged defaults not yet recorded)."""

    profiles: list[Profile]


class ApprovalAccepted(BaseModel):
    """The approval was published; ``prod`` moves when the recorder folds it."""

    profile_id: str
    role: str
    previous_id: str | None
    approver: str


def router() -> APIRouter:
    r = APIRouter(tags=["profiles"])
    one = responses(*COMMON, ProblemKind.not_found)

    @r.get("/profiles", operation_id="list_profiles", responses=responses(*COMMON))
    def list_all(
        role: str | None = Query(None, max_length=64, description="Only this agent role."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> ProfileList:
        """Every profile version with its stage and tags."""
        return ProfileList(profiles=list_profiles(ctx.engine, role))

    @r.get("/profiles/{profile_id}", operation_id="get_profile", responses=one)
    def get_one(
        profile_id: str = PROFILE_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Profile:
        """One profile version: sections, settings, difficulty range, stage."""
        return found_profile(ctx, profile_id)

    @r.post(
        "/profiles/{profile_id}/approve", operation_id="approve_profile", status_code=202,
        responses=responses(
            *COMMON, ProblemKind.not_found, ProblemKind.conflict, ProblemKind.bus_unavailable
        ),
    )  # fmt: skip
    async def approve(
        profile_id: str = PROFILE_ID,
        *,
        ctx: Context,
        principal: auth.Admin,
    ) -> ApprovalAccepted:
        """Make a candidate that passed regression its role's ``prod`` profile."""
        try:
            profile, current = with_prod(ctx, profile_id)
        except ProfileError as exc:
            raise ApiProblem(ProblemKind.conflict, str(exc)) from None
        if current.id == profile.id:
            raise ApiProblem(ProblemKind.conflict, f"{profile.id} is already the prod profile")
        if not profile.passed_regression:
            raise ApiProblem(ProblemKind.conflict, f"{profile.id} never passed a regression batch")
        if profile.stage is Stage.archived:
            raise ApiProblem(ProblemKind.conflict, f"{profile.id} is archived")
        event = ProfileApproved(
            profile_id=profile.id, role=profile.role, approver=principal.name[:128],
            previous_id=current.id,
        )  # fmt: skip
        await publish(ctx, Envelope.new(event))
        return ApprovalAccepted(
            profile_id=profile.id, role=profile.role, previous_id=current.id,
            approver=event.approver,
        )  # fmt: skip

    return r
