"""Changes to the registry as events: checked here, folded into the tables by the recorder.

event = new_version("planner", "1.1.0", text, parent_id=current.id)
await bus.publish(Envelope.new(event))
await bus.publish(Envelope.new(move_tag(prompt, "prod")))
"""

from __future__ import annotations

from arena_core.events import Envelope
from arena_core.events.prompts import PromptTagMoved, PromptVersionCreated
from arena_core.ids import stable_id
from arena_core.llm.templates import check_template, is_semver
from arena_core.prompts.model import (
    PACKAGED,
    PACKAGED_VERSIONS,
    PROD,
    ROLE_VARIABLES,
    InvalidPrompt,
    Prompt,
    packaged_default,
    prompt_id,
    sha256,
)


def new_version(
    role: str,
    version: str,
    content: str,
    *,
    parent_id: str | None = None,
    description: str = "",
    claims: tuple[str, ...] = (),
) -> PromptVersionCreated:
    """The event adding ``content`` as ``version`` of ``role`` (``InvalidPrompt`` if it
    is not a semantic version, or the template does not parse or uses unknown names)."""
    if not is_semver(version):
        raise InvalidPrompt(f"{version!r} is not a semantic version")
    problems = check_template(content, ROLE_VARIABLES.get(role))
    if problems:
        raise InvalidPrompt("; ".join(str(p) for p in problems))
    return PromptVersionCreated(
        prompt_id=prompt_id(role, version, content), role=role, version=version,
        content=content, sha256=sha256(content), parent_id=parent_id,
        description=description, claims=claims,
    )  # fmt: skip


def move_tag(prompt: Prompt, tag: str) -> PromptTagMoved:
    """The event pointing ``tag`` of the prompt's role at ``prompt``."""
    return PromptTagMoved(role=prompt.role, tag=tag, prompt_id=prompt.id)


def packaged_registration(role: str) -> Envelope[PromptVersionCreated]:
    """The packaged default of ``role`` as a recorded version claiming ``prod``.

    Every node that finds no ``prod`` prompt publishes this same envelope (same id), so
    JetStream keeps one copy; and a claim never moves a ``prod`` tag that is set.
    """
    event = new_version(
        role, PACKAGED_VERSIONS[role], packaged_default(role), description=PACKAGED,
        claims=(PROD,),
    )  # fmt: skip
    return Envelope.new(
        event, id=stable_id(f"prompt.version.created/{event.prompt_id}"), run_id="prompts"
    )
