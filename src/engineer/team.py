"""What the three team services share: their LLM, prompts, heartbeats and spend totals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from arena_core.events.engineer import TeamTotals
from arena_core.events.llm import PromptRef
from arena_core.llm import Conversation, Llm, RunBudget, Tool, ToolRegistry
from arena_core.llm.templates import render_prompt
from arena_core.prompts import Prompt
from arena_core.spec import BenchmarkSpec
from arena_core.state import SharedState

if TYPE_CHECKING:
    from arena_core.container import Container


def team_llm(container: Container) -> Llm:
    """An ``Llm`` on the configured policy; offline, the team's own algorithms answer."""
    from engineer.policies import TEAM_DECIDERS

    llm: Llm = container.llm(deciders=TEAM_DECIDERS)
    return llm


async def role_prompt(
    state: SharedState, role: str, spec: BenchmarkSpec, **extra: Any
) -> tuple[Prompt, str]:
    """The role's ``prod`` prompt, read now (at the start of this run), and its rendering."""
    prompt = await state.prod_prompt(role)
    return prompt, prompt.render(spec=spec, family=spec.family, goal_kind=spec.goal.kind, **extra)


async def profile_prompt(
    state: SharedState, role: str, spec: BenchmarkSpec, **extra: Any
) -> tuple[PromptRef, str]:
    """The role's approved (``prod``) profile's template, rendered, when its difficulty
    range holds the benchmark's; otherwise the role's ``prod`` prompt (``role_prompt``).
    The planner and the critic read theirs at each job; the engineer's travels with the
    solve request (a profile under test brings its own)."""
    prod = await state.prod_profile(role)
    if (
        prod is not None
        and prod.created_at is not None
        and prod.description != "packaged"
        and prod.difficulty.holds(spec.difficulty)
    ):
        ref = PromptRef(id=prod.id, role=role, version=prod.version)
        variables = {"spec": spec, "family": spec.family, "goal_kind": spec.goal.kind}
        return ref, render_prompt(prod.template, **variables, **extra)
    prompt, system = await role_prompt(state, role, spec, **extra)
    return prompt.ref, system


async def one_tool_conversation(
    state: SharedState,
    llm: Llm,
    role: str,
    spec: BenchmarkSpec,
    tool: Tool[Any],
    conversation_id: str,
) -> Conversation:
    """A thread of ``role`` under its ``profile_prompt`` whose one tool is its answer
    (the planner's plan, the critic's review)."""
    ref, system = await profile_prompt(state, role, spec)
    return Conversation(
        llm,
        agent_role=role,
        system=system,
        tools=ToolRegistry([tool]),
        prompt=ref,
        conversation_id=conversation_id,
    )


def totals(budget: RunBudget) -> TeamTotals:
    t = budget.totals
    return TeamTotals(
        llm_calls=t.llm_calls,
        tokens=t.tokens,
        cost_usd=round(t.cost_usd, 9),
        llm_latency_s=round(t.llm_latency_s, 6),
    )


def add(a: TeamTotals, b: TeamTotals) -> TeamTotals:
    return TeamTotals(
        llm_calls=a.llm_calls + b.llm_calls,
        tokens=a.tokens + b.tokens,
        cost_usd=a.cost_usd + b.cost_usd,
        llm_latency_s=a.llm_latency_s + b.llm_latency_s,
    )
