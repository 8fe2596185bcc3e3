"""The prompt registry: versioned, immutable Jinja2 templates per agent role.

    from arena_core.state import SharedState

    prompt = await SharedState(bus).prod_prompt("engineer")   # what a run uses
    system = prompt.render(spec=..., family=..., goal_kind=..., skills=[...])
    Conversation(llm, agent_role="engineer", system=system, prompt=prompt.ref, ...)

Changes are events (``changes``): the recorder folds them into the ``prompts`` and
``prompt_tags`` tables and publishes each role's tagged prompts to every node. With no
``prod`` prompt recorded, a role runs on its packaged default (``defaults/<role>.j2``).
Readers of the database (CLI, API) use ``arena_core.prompts.queries``.
"""

from arena_core.prompts.changes import move_tag, new_version, packaged_registration
from arena_core.prompts.model import (
    PACKAGED_VERSIONS,
    PROD,
    ROLE_VARIABLES,
    InvalidPrompt,
    Prompt,
    PromptError,
    UnknownPrompt,
    packaged_default,
    packaged_prompt,
    prompt_id,
)

__all__ = [
    "PACKAGED_VERSIONS",
    "PROD",
    "ROLE_VARIABLES",
    "InvalidPrompt",
    "Prompt",
    "PromptError",
    "UnknownPrompt",
    "move_tag",
    "new_version",
    "packaged_default",
    "packaged_prompt",
    "packaged_registration",
    "prompt_id",
]
