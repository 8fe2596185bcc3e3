"""Choosing and building the policy from settings."""

from __future__ import annotations

from collections.abc import Mapping

from arena_core.events.llm import CallParameters
from arena_core.llm.budget import RunBudget
from arena_core.llm.client import Emit, Llm
from arena_core.llm.errors import LlmConfigError
from arena_core.llm.offline import Decider, OfflinePolicy
from arena_core.llm.policy import Policy
from arena_core.llm.replay import InMemoryRecordedCalls, RecordedCalls, ReplayPolicy
from arena_core.settings import LlmPolicyName, Settings


def policy_name(settings: Settings) -> LlmPolicyName:
    """The policy to run: ``llm`` when set explicitly, else ``anthropic`` if a key is set."""
    if "llm" in settings.model_fields_set:
        return settings.llm
    return "anthropic" if settings.anthropic_api_key is not None else settings.llm


def make_policy(
    settings: Settings,
    *,
    deciders: Mapping[str, Decider] | None = None,
    recorded: RecordedCalls | None = None,
) -> Policy:
    """The policy the settings select; ``LlmConfigError`` when it cannot be built."""
    name = policy_name(settings)
    if name == "anthropic":
        if settings.anthropic_api_key is None:
            raise LlmConfigError("the anthropic policy needs ANTHROPIC_API_KEY")
        from arena_core.llm.anthropic import AnthropicPolicy

        return AnthropicPolicy(
            settings.anthropic_api_key.get_secret_value(),
            base_url=settings.anthropic_base_url,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            retry_base_s=settings.llm_retry_base_s,
            retry_max_s=settings.llm_retry_max_s,
            prompt_cache=settings.llm_prompt_cache,
        )
    if name == "replay":
        if recorded is None:
            if settings.llm_replay_path is None:
                raise LlmConfigError(
                    "the replay policy needs a recording: ARENA_LLM_REPLAY_PATH or a source"
                )
            recorded = InMemoryRecordedCalls.read_jsonl(settings.llm_replay_path)
        return ReplayPolicy(recorded)
    if not deciders:
        raise LlmConfigError("the offline policy needs a decider for each agent role")
    return OfflinePolicy(deciders, seed=settings.llm_seed)


def make_llm(
    settings: Settings,
    *,
    deciders: Mapping[str, Decider] | None = None,
    recorded: RecordedCalls | None = None,
    emit: Emit | None = None,
    budget: RunBudget | None = None,
) -> Llm:
    """An ``Llm`` on the selected policy with the settings' model, parameters and budget."""
    key = settings.anthropic_api_key
    return Llm(
        make_policy(settings, deciders=deciders, recorded=recorded),
        model=settings.llm_model,
        parameters=CallParameters(
            max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature
        ),
        emit=emit,
        budget=budget or RunBudget.from_settings(settings),
        secrets=[key.get_secret_value()] if key is not None else [],
    )
