"""Guards a variant passes before any experiment, and the daily budget cap.

- ``template``: the joined sections parse as Jinja2, use only the role's variables, and
  render with dummy values of every variable;
- ``sanity`` (offline rules): not empty, not huge, not much shorter than its parent, and
  it keeps the words the role's work depends on (its tool names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from arena_core.events.optimizer import GuardName
from arena_core.llm.templates import PromptRenderError, check_template, render_prompt
from arena_core.prompts import ROLE_VARIABLES

MAX_CHARS = 20_000
"""Longest template accepted."""
MIN_SHARE_OF_PARENT = 0.6
"""A variant may not drop more than this share of its parent's length."""
REQUIRED_WORDS: dict[str, tuple[str, ...]] = {
    "engineer": ("run_cad", "simulate_preview", "submit", "refuse"),
    "planner": ("TODO",),
    "critic": (),
}
"""Words a role's template must keep (its tools and duties)."""

_DUMMY_SKILL = {"title": "t", "when_to_use": "w", "steps": ["s"], "example": "", "tags": []}


class _Spec:
    """Any attribute of a dummy spec renders as a placeholder."""

    def __getattr__(self, name: str) -> str:
        return f"<{name}>"


def dummy_variables(role: str) -> dict[str, object]:
    """A value for every variable of the role, to render a template once."""
    values: dict[str, object] = {"spec": _Spec(), "family": "family", "goal_kind": "goal"}
    values["skills"] = [_DUMMY_SKILL]
    return {k: values.get(k, k) for k in ROLE_VARIABLES.get(role, ())}


@dataclass(frozen=True)
class Verdict:
    """A guard's finding: passed, or which guard failed and why."""

    guard: GuardName | None = None
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.guard is None


def check_template_guard(role: str, template: str) -> Verdict:
    problems = [str(p) for p in check_template(template, ROLE_VARIABLES.get(role, ()))]
    if not problems:
        try:
            render_prompt(template, **dummy_variables(role))
        except PromptRenderError as exc:
            problems.append(str(exc))
    return Verdict(GuardName.template, tuple(problems)) if problems else Verdict()


def check_sanity(role: str, template: str, parent: str | None = None) -> Verdict:
    problems = []
    if not template.strip():
        problems.append("the template is empty")
    if len(template) > MAX_CHARS:
        problems.append(f"the template has {len(template)} characters (most {MAX_CHARS})")
    if parent and len(template) < MIN_SHARE_OF_PARENT * len(parent):
        problems.append(
            f"the template dropped {1 - len(template) / len(parent):.0%} of its parent's text"
        )
    missing = [w for w in REQUIRED_WORDS.get(role, ()) if w in (parent or w) and w not in template]
    if missing:
        problems.append(f"the template dropped {', '.join(missing)}")
    return Verdict(GuardName.sanity, tuple(problems)) if problems else Verdict()


def guard(role: str, template: str, parent: str | None = None) -> Verdict:
    """The first failing guard's verdict (or a pass)."""
    first = check_template_guard(role, template)
    return first if not first.passed else check_sanity(role, template, parent)


@dataclass
class DailyBudget:
    """Dollars and simulation-seconds the optimizer may spend per UTC day."""

    max_usd: float
    max_sim_s: float
    spent: dict[str, tuple[float, float]] = field(default_factory=dict)
    """day -> (dollars, simulation seconds)."""

    def left(self, day: date) -> bool:
        usd, sim = self.spent.get(day.isoformat(), (0.0, 0.0))
        return (
            self.max_usd > 0 and self.max_sim_s > 0 and usd < self.max_usd and sim < self.max_sim_s
        )

    def charge(self, day: date, usd: float, sim_s: float) -> None:
        before = self.spent.get(day.isoformat(), (0.0, 0.0))
        self.spent[day.isoformat()] = (before[0] + usd, before[1] + sim_s)

    def totals(self, day: date) -> tuple[float, float]:
        return self.spent.get(day.isoformat(), (0.0, 0.0))


def first_problem(verdicts: Sequence[Verdict]) -> Verdict | None:
    return next((v for v in verdicts if not v.passed), None)
