"""``/prompts``: the agents' prompt versions and their tags."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from arena_core.api import auth
from arena_core.api.context import Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.prompts import Prompt, UnknownPrompt
from arena_core.prompts.queries import get_prompt, list_prompts

PROMPT_ID = Path(min_length=1, max_length=200, description="A prompt id.")


class PromptView(BaseModel):
    """One immutable prompt version."""

    id: str
    role: str
    version: str
    """Semantic version."""
    tags: list[str]
    """Tags pointing at it (``prod``, ``candidate``...)."""
    parent_id: str | None
    description: str
    created_at: datetime | None
    """When it was recorded (null: a packaged default no run has recorded yet)."""
    content: str | None = None
    """The Jinja2 template (on the single-prompt view)."""


class PromptList(BaseModel):
    """Prompt versions, by role then age."""

    prompts: list[PromptView]


def _view(p: Prompt, with_content: bool) -> PromptView:
    return PromptView(
        id=p.id, role=p.role, version=p.version, tags=list(p.tags), parent_id=p.parent_id,
        description=p.description, created_at=p.created_at,
        content=p.content if with_content else None,
    )  # fmt: skip


def router() -> APIRouter:
    r = APIRouter(tags=["prompts"])

    @r.get("/prompts", operation_id="list_prompts", responses=responses(*COMMON))
    def list_all(
        role: str | None = Query(None, max_length=64, description="Only this agent role."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> PromptList:
        """Every prompt version with its tags."""
        return PromptList(prompts=[_view(p, False) for p in list_prompts(ctx.engine, role)])

    @r.get(
        "/prompts/{prompt_id}", operation_id="get_prompt",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def get_one(
        prompt_id: str = PROMPT_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> PromptView:
        """One prompt version with its template."""
        try:
            return _view(get_prompt(ctx.engine, prompt_id), True)
        except UnknownPrompt:
            raise ApiProblem(ProblemKind.not_found, f"no prompt {prompt_id!r}") from None

    return r
