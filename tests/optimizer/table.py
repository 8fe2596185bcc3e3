"""A fixed table of solve outcomes for the loop's decision tests: a pure function of the
settings, the template and the benchmark, answered at once. The real evaluators (the team
over the bus, ``optimizer.batches``; in process, ``optimizer.inprocess``) have their own
tests with real solves; here only the loop's decisions are under test."""

from __future__ import annotations

from arena_core.events.profiles import TeamSettings
from optimizer.evaluate import Experiment, Measured, Solve


def outcome(benchmark_id: str, settings: TeamSettings, template: str) -> Solve:
    """Hard benchmarks need a search large enough and a tight time margin; easy ones a
    few simulations. Tokens grow with the template and the search, latency with both."""
    effort = settings.population * min(settings.generations, settings.max_tool_calls)
    hard = benchmark_id.startswith("hard")
    need = 40 + 10 * (int(benchmark_id.rsplit("-", 1)[-1]) % 5)
    solved = (
        effort >= need and settings.time_margin <= 0.9 and settings.stress_test
        if hard
        else settings.max_tool_calls >= 12
    )
    sims = min(effort, settings.max_tool_calls) if hard else 9
    calls = 2 + sims // max(settings.population, 1) + settings.use_skills
    return Solve(
        benchmark_id, solved=solved, tokens=calls * (2000 + len(template) // 4),
        latency_s=round(0.3 * calls + 1.2 * sims, 3), simulations=sims,
        sim_time_s=6.0 * sims, reasons=() if solved else ("the goal was reached too late",),
    )  # fmt: skip


class TableEvaluator:
    """Regression batches answered from ``outcome``; ``solves`` counts the children."""

    def __init__(self) -> None:
        self.solves = 0

    async def evaluate(self, experiment: Experiment) -> Measured:
        ids = [*experiment.targets, *experiment.controls]
        self.solves += len(ids)
        return Measured(tuple(outcome(b, experiment.settings, experiment.template) for b in ids))
