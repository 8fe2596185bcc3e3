"""A run's spend: running totals and the token / dollar budget that stops it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from arena_core.events.agent import BudgetLimit, RunTotalsUpdated
from arena_core.events.llm import Usage
from arena_core.settings import Settings


@dataclass
class RunTotals:
    """What a run has spent so far."""

    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    llm_latency_s: float = 0.0
    sim_time_s: float = 0.0
    tool_calls: int = 0

    @property
    def tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )

    def event(self) -> RunTotalsUpdated:
        """The totals as an event (money to the nano-dollar, times to the microsecond)."""
        rounded = {
            "cost_usd": round(self.cost_usd, 9),
            "llm_latency_s": round(self.llm_latency_s, 6),
            "sim_time_s": round(self.sim_time_s, 6),
        }
        return RunTotalsUpdated(**{**asdict(self), **rounded})

    @classmethod
    def from_event(cls, totals: RunTotalsUpdated) -> RunTotals:
        """Resume counting from the last ``run.totals.updated`` of a run."""
        return cls(**totals.model_dump())


class RunBudget:
    """Token and dollar limits of one run, with the totals they are checked against.

    One instance is shared by every conversation of the run in this process.
    """

    def __init__(
        self,
        *,
        max_tokens: int | None = None,
        max_cost_usd: float | None = None,
        totals: RunTotals | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self.totals = totals or RunTotals()

    @classmethod
    def from_settings(cls, settings: Settings) -> RunBudget:
        return cls(max_tokens=settings.run_max_tokens, max_cost_usd=settings.run_max_cost_usd)

    def record_call(self, usage: Usage, cost_usd: float, latency_s: float) -> None:
        t = self.totals
        t.llm_calls += 1
        t.input_tokens += usage.input_tokens
        t.output_tokens += usage.output_tokens
        t.cache_read_tokens += usage.cache_read_tokens
        t.cache_write_tokens += usage.cache_write_tokens
        t.cost_usd += cost_usd
        t.llm_latency_s += latency_s

    def record_tool_call(self) -> None:
        self.totals.tool_calls += 1

    def record_sim_time(self, seconds: float) -> None:
        self.totals.sim_time_s += seconds

    def exceeded(self) -> tuple[BudgetLimit, float, float] | None:
        """The first limit crossed, as ``(limit, allowed, used)``, or None."""
        if self.max_tokens is not None and self.totals.tokens > self.max_tokens:
            return "tokens", float(self.max_tokens), float(self.totals.tokens)
        if self.max_cost_usd is not None and self.totals.cost_usd > self.max_cost_usd:
            return "cost_usd", self.max_cost_usd, self.totals.cost_usd
        return None
