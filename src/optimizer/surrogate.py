"""A seeded, in-process model of the offline team's search, for harnesses and tests.

A real offline solve takes 15-60 s of MuJoCo and CAD; comparing search methods at equal
budgets needs thousands. This model keeps the offline search's structure and the way
every setting pulls on it, so the trade-offs are the real ones in kind:

- each generation simulates ``population`` designs; a design is good with a probability
  that falls with difficulty and rises with the generation (breeding from the elite
  helps more with a larger population) and with skills read;
- a good design must also meet the reach goal within ``time_margin`` of the limit; a
  margin looser than the critic's (0.9) lets through designs the critic then rejects;
- a passing design is fragile with a probability that grows with difficulty: without a
  stress test it is submitted and may be rejected; the stress test costs one simulation;
- the search stops at ``generations``, ``max_tool_calls`` simulations or ``max_steps``
  turns; tokens grow with the template's length and the conversation's; latency counts
  model calls and simulations.

Every draw comes from ``(benchmark, rollout seed)``, so a solve is a pure function of
its inputs. It measures nothing about MuJoCo: figures from it are the model's, and the
harness says so.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping

from arena_core.events.profiles import TeamSettings
from optimizer.evaluate import Experiment, Measured, Solve

CRITIC_MARGIN = 0.9
"""The critic rejects a reach goal met after this share of the time limit."""
SUBMISSIONS = 3
"""Scored submissions per solve."""


def _rng(benchmark_id: str, seed: int) -> random.Random:
    return random.Random(hashlib.sha256(f"{benchmark_id}/{seed}".encode()).hexdigest())


def solve(
    benchmark_id: str, difficulty: int, settings: TeamSettings, template: str, seed: int
) -> Solve:
    """One modelled solve of a benchmark of this difficulty (1 easy .. 5 hard)."""
    rng = _rng(benchmark_id, seed)
    base = 0.45 * 0.5 ** (difficulty - 1) * (1.3 if settings.use_skills else 1.0)
    fragility = 0.1 + 0.09 * difficulty
    calls = sims = turns = 0
    tokens = 0
    prompt = len(template) // 4 + 2500 + (600 if settings.use_skills else 0)
    submissions = 0
    solved = False
    reasons: list[str] = []

    def call() -> None:
        nonlocal calls, tokens, turns
        tokens += prompt + 180 * calls
        calls += 1
        turns += 1

    call()  # plan, skills
    for generation in range(settings.generations):
        left = settings.max_tool_calls - sims
        if left < 2 or turns >= settings.max_steps:
            reasons.append("the simulation budget is spent without a robust design")
            break
        size = min(settings.population, left)
        call()
        sims += size
        boost = 1 + 0.08 * generation * min(settings.population, 10) / 6
        q = min(0.95, base * boost)
        found = [rng.random() for _ in range(size)]
        good = [u for u in found if u < q]
        if not good:
            reasons.append(f"generation {generation}: no design reached the goal on every copy")
            continue
        # the best good design's worst time to goal, as a share of the limit
        worst = min(0.35 + 0.65 * rng.random() ** (1 / (1 + len(good))) for _ in good)
        if worst > settings.time_margin:
            reasons.append("the goal was reached too late on the worst copy")
            continue
        fragile = rng.random() < fragility
        if settings.stress_test and sims < settings.max_tool_calls:
            call()
            sims += 1
            if fragile:
                reasons.append("the design failed the stress test on jittered copies")
                continue
        call()
        sims += 2
        submissions += 1
        if fragile:
            reasons.append("the critic rejected it: it failed on a jittered copy")
        elif worst > CRITIC_MARGIN:
            reasons.append("the critic rejected it: the goal was reached too late")
        else:
            solved = True
            break
        if submissions >= SUBMISSIONS:
            break
    else:
        reasons.append(f"{settings.generations} generations searched without a robust design")
    call()  # the closing turn
    return Solve(
        benchmark_id, solved=solved, tokens=tokens, latency_s=round(0.3 * calls + 1.2 * sims, 3),
        simulations=sims, sim_time_s=round(sims * 6.0 * difficulty, 3),
        reasons=() if solved else tuple(reasons[-3:]),
    )  # fmt: skip


class SurrogateEvaluator:
    """Regression batches on the model: every child answered at once."""

    def __init__(self, difficulties: Mapping[str, int]) -> None:
        self.difficulties = dict(difficulties)
        self.solves = 0
        """Modelled solves so far (the harness's metric-call count)."""

    def run(self, settings: TeamSettings, template: str, ids: list[str], seed: int) -> list[Solve]:
        self.solves += len(ids)
        return [solve(b, self.difficulties[b], settings, template, seed) for b in ids]

    async def evaluate(self, experiment: Experiment) -> Measured:
        ids = [*experiment.targets, *experiment.controls]
        return Measured(
            tuple(self.run(experiment.settings, experiment.template, ids, experiment.seed))
        )
