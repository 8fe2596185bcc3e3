"""``grpo``: rollouts of the same prompt as one group, with a reward per completion.

Rollouts share a prompt when their first calls have the same ``request_hash`` (system,
messages and tools: what the model saw). ``arena rollouts`` makes K solves of each
benchmark that differ by their rollout seed, which steers the search (offline) but is
never part of the prompt, so the K rollouts of one role form one group.

Each row is TRL-conversational: ``prompt`` is the system text and the
messages before the agent's first answer, each completion the messages that followed it
(assistant turns and tool results). Completions that infrastructure broke have no reward
and are left out (counted apart). Groups are gathered in memory (the size of the output).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from statistics import pvariance
from typing import Any

from sqlalchemy import Engine

from arena_core.export import openai, trl
from arena_core.export.conversations import Rollout, provenance, rollouts
from arena_core.export.filters import ExportFilter, ExportSummary, Progress, SkipCause


def split(rollout: Rollout) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rollout's prompt (system and messages before the first answer) and completion."""
    chat = trl.chat(rollout)
    cut = next((i for i, m in enumerate(chat) if m["role"] == "assistant"), len(chat))
    return chat[:cut], chat[cut:]


def group_key(rollout: Rollout) -> str | None:
    """Rollouts with equal keys answer the same prompt: its hash."""
    return rollout.source.prompt_hash


def groups(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[list[Rollout]]:
    """Rollouts with a reward, one list per prompt (in order of first appearance)."""
    found: dict[str | None, list[Rollout]] = {}
    for rollout in rollouts(engine, flt, summary, progress, prompt_hashes=True):
        if rollout.source.reward is None:
            infra = rollout.source.reward_inputs is not None and (
                rollout.source.reward_inputs.infrastructure is not None
            )
            summary.skip(SkipCause.infrastructure if infra else SkipCause.no_reward)
            continue
        found.setdefault(group_key(rollout), []).append(rollout)
    yield from found.values()


def rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """One row per prompt with every rewarded completion of it."""
    summary.groups_with_variance = 0
    for group in groups(engine, flt, summary, progress):
        rewards = [r.source.reward or 0.0 for r in group]
        variance = pvariance(rewards)
        if variance > 0:
            summary.groups_with_variance += 1
        elif flt.min_group_variance is not None:
            summary.skip(SkipCause.no_variance)
            continue
        if flt.min_group_variance is not None and variance < flt.min_group_variance:
            summary.skip(SkipCause.no_variance)
            continue
        yield row(group, rewards, variance)


def row(group: Iterable[Rollout], rewards: list[float], variance: float) -> dict[str, Any]:
    """The GRPO row of one prompt's rollouts."""
    members = list(group)
    first = members[0]
    prompt, _ = split(first)
    prompt_ref = first.request["prompt"]
    return {
        "prompt": prompt,
        "prompt_hash": first.source.prompt_hash,
        "benchmark_id": first.source.reward_inputs.benchmark_id
        if first.source.reward_inputs
        else None,
        "tools": openai.tools(first.request["tools"]),
        "group_size": len(members),
        "completions": [split(r)[1] for r in members],
        "rewards": rewards,
        "reward_variance": round(variance, 9),
        "reward_inputs": [r.source.reward_inputs.as_json() if r.source.reward_inputs else None
                          for r in members],
        "provenance": {
            "agent_role": first.source.agent_role,
            "prompt_id": prompt_ref["id"] if prompt_ref else None,
            "prompt_version": prompt_ref["version"] if prompt_ref else None,
            "completions": [provenance(r) for r in members],
        },
    }  # fmt: skip
