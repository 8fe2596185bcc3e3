"""The prompt registry: versioned, immutable Jinja2 templates per agent role.

    from arena_core.prompts import prod_prompt

    prompt = prod_prompt(engine, "engineer")        # what a run uses
    system = prompt.render(spec=..., family=..., goal_kind=..., skills=[...])
    Conversation(llm, agent_role="engineer", system=system, prompt=prompt.ref, ...)

Packaged defaults (``defaults/<role>.j2``) are loaded by ``arena db upgrade``.
"""

from arena_core.prompts.registry import (
    PACKAGED_VERSIONS,
    PROD,
    ROLE_VARIABLES,
    InvalidPrompt,
    Prompt,
    PromptError,
    UnknownPrompt,
    add_prompt,
    get_prompt,
    list_prompts,
    load_packaged_defaults,
    packaged_default,
    prod_prompt,
    prompt_id,
    tag_prompt,
    tagged,
)

__all__ = [
    "PACKAGED_VERSIONS",
    "PROD",
    "ROLE_VARIABLES",
    "InvalidPrompt",
    "Prompt",
    "PromptError",
    "UnknownPrompt",
    "add_prompt",
    "get_prompt",
    "list_prompts",
    "load_packaged_defaults",
    "packaged_default",
    "prod_prompt",
    "prompt_id",
    "tag_prompt",
    "tagged",
]
