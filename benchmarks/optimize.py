"""Arena's NSGA-II optimizer against random search and GEPA, at an equal budget.

Every method searches the same genome (the engineer's prompt sections + team settings)
with the same evaluator and the same number of metric calls (modelled solves, counting
every evaluation a method asks for: GEPA's minibatches and validation passes, NSGA-II's
regression batches, the final validation of each method's front):

- ``nsga2``: ``optimizer.loop.Loop``, the service's own decisions (observe the default's
  solves of the train set -> failed targets + passed controls -> propose -> guard ->
  regression batch -> NSGA-II select);
- ``random``: genomes drawn uniformly from the same space (random settings, one library
  instruction added), each evaluated on the same batch;
- ``gepa``: ``gepa.optimize`` driving the same evaluator through a GEPA adapter whose
  ``propose_new_texts`` is Arena's failure-driven proposer (instructions mined from the
  failure reasons, settings mutation) on the train set, GEPA's valset the validation set.

Each method's final front (non-dominated on success vs tokens) is evaluated on the
validation set, which picks its promoted candidate (best success, then fewest tokens);
the fronts and candidates are then measured on the held-out set. Hypervolume is of the
held-out points (1 - success, tokens / 100k, both clipped to [0, 1]) against the
reference point (1, 1): the area of the unit square they dominate.

The evaluator is ``optimizer.surrogate``, a seeded in-process model of the offline
team's search (a real offline solve costs 15-60 s of CAD and MuJoCo; the budgets here
need thousands). Its figures are the model's, not MuJoCo's.

Last line: {"bench": "optimize", "budget": B, "seeds": 3, "hv": {...},
"heldout_success": {"default", "nsga2", "gepa"} (levels 4-5), "heldout_cost": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import gepa  # noqa: E402
from gepa.core.adapter import EvaluationBatch  # noqa: E402

from arena_core.events import Payload  # noqa: E402
from arena_core.events.profiles import PromptSection, TeamSettings  # noqa: E402
from arena_core.profiles import Profile, join_sections, packaged_profile  # noqa: E402
from optimizer.evaluate import Solve, summarize  # noqa: E402
from optimizer.genome import Genome, mutate_settings, random_settings  # noqa: E402
from optimizer.guards import DailyBudget, guard  # noqa: E402
from optimizer.library import mine  # noqa: E402
from optimizer.loop import Loop, Plan  # noqa: E402
from optimizer.operators import add_instruction, rephrase  # noqa: E402
from optimizer.select import Scored, front  # noqa: E402
from optimizer.surrogate import SurrogateEvaluator  # noqa: E402

HV_REFERENCE = (1.0, 1.0)
"""(1 - success, tokens / TOKEN_SCALE) of the worst point that counts."""
TOKEN_SCALE = 100_000.0
HARD = (4, 5)
FRONT = 8
"""Most members of a method's final front that are validated and measured."""
"""The hardest two difficulty levels."""


def benchmark_sets(per_level: dict[str, int]) -> dict[str, dict[str, int]]:
    """Benchmark id -> difficulty for the train, validation and held-out sets."""
    levels = {"train": (2, 3, 4, 5), "validation": (2, 3, 4, 5), "heldout": (1, 2, 3, 4, 5)}
    return {
        name: {f"{name}-d{d}-{i}": d for d in levels[name] for i in range(per_level[name])}
        for name in levels
    }


def measure(
    evaluator: SurrogateEvaluator, genome: Genome, ids: list[str], seed: int
) -> list[Solve]:
    return evaluator.run(genome.settings, join_sections(genome.sections), ids, seed)


def hypervolume(points: list[tuple[float, float]]) -> float:
    """Area dominated by ``points`` (both coordinates minimised) inside the reference box."""
    rx, ry = HV_REFERENCE
    area, floor = 0.0, ry
    for x, y in sorted((min(x, rx), min(y, ry)) for x, y in points):
        if y < floor:
            area += (rx - x) * (floor - y)
            floor = y
    return round(area, 6)


def point(solves: list[Solve]) -> tuple[float, float]:
    o = summarize(solves)
    return (1.0 - o.success, min(o.tokens / TOKEN_SCALE, 1.0))


class Run:
    """One method on one seed: its front and promoted candidate, measured."""

    def __init__(self, sets: dict[str, dict[str, int]], seed: int, budget: int) -> None:
        self.sets = sets
        self.seed = seed
        self.budget = budget
        self.evaluator = SurrogateEvaluator(
            {**sets["train"], **sets["validation"], **sets["heldout"]}
        )

    def finish(self, genomes: list[Genome]) -> dict[str, Any]:
        """Validate the method's final front (its best first; counted), pick the
        candidate, measure on the held-out set (not counted: the harness's measurement,
        the same for every method)."""
        members = genomes[:FRONT]
        valid = list(self.sets["validation"])
        picks = []
        for g in members:
            o = summarize(measure(self.evaluator, g, valid, self.seed))
            picks.append((-o.success, o.tokens, len(picks)))
        calls = self.evaluator.solves
        best = members[min(picks)[2]]
        held = list(self.sets["heldout"])
        hard = [b for b in held if self.sets["heldout"][b] in HARD]
        points = [point(measure(self.evaluator, g, held, self.seed)) for g in members]
        chosen = summarize(measure(self.evaluator, best, hard, self.seed))
        return {
            "metric_calls": calls,
            "front": len(members),
            "hv": hypervolume(points),
            "heldout_success": chosen.success,
            "heldout_tokens": chosen.tokens,
            "heldout_simulations": chosen.simulations,
            "settings": best.settings.model_dump(exclude={"model", "temperature"}),
        }


def default_genome() -> Genome:
    p = packaged_profile("engineer")
    return Genome(p.sections, p.settings, p.difficulty)


def run_default(sets: dict[str, dict[str, int]], seed: int) -> dict[str, Any]:
    run = Run(sets, seed, 0)
    hard = [b for b in sets["heldout"] if sets["heldout"][b] in HARD]
    o = summarize(measure(run.evaluator, default_genome(), hard, seed))
    held = list(sets["heldout"])
    return {
        "heldout_success": o.success,
        "heldout_tokens": o.tokens,
        "hv": hypervolume([point(measure(run.evaluator, default_genome(), held, seed))]),
    }


# -- NSGA-II: the service's loop ----------------------------------------------------


async def run_nsga2(sets: dict[str, dict[str, int]], seed: int, budget: int) -> dict[str, Any]:
    run = Run(sets, seed, budget)
    base = default_genome()
    train = list(sets["train"])
    observed = measure(run.evaluator, base, train, seed)  # the recording: default's solves
    failed = sorted(s.benchmark_id for s in observed if not s.solved)
    passed = sorted(s.benchmark_id for s in observed if s.solved)
    rng = random.Random(seed)
    targets = tuple(sorted(rng.sample(failed, min(20, len(failed)))))
    controls = tuple(sorted(rng.sample(passed, min(5, len(passed)))))
    population = 8
    per_eval = len(targets) + len(controls)
    reserve = FRONT * len(sets["validation"])
    generations = max(1, (budget - len(train) - reserve - per_eval) // (population * per_eval))
    evaluated: list[Genome] = []

    async def emit(payload: Payload) -> None:
        return None

    loop = Loop(run.evaluator, emit, DailyBudget(max_usd=1.0, max_sim_s=1e12))
    start: Profile = packaged_profile("engineer")
    plan = Plan(
        role="engineer", generations=generations, population=population, seed=seed,
        targets=targets, controls=controls,
        reasons=tuple(r for s in observed if not s.solved for r in s.reasons),
    )  # fmt: skip
    result = await loop.run(start, plan)
    evaluated = [m.genome for m in result.front] or [base]
    out = run.finish(evaluated)
    out["generations"] = generations
    return out


# -- random search ------------------------------------------------------------------


def run_random(sets: dict[str, dict[str, int]], seed: int, budget: int) -> dict[str, Any]:
    run = Run(sets, seed, budget)
    base = default_genome()
    train = list(sets["train"])
    observed = measure(run.evaluator, base, train, seed)
    instructions = mine([r for s in observed if not s.solved for r in s.reasons])
    rng = random.Random(f"random/{seed}")
    failed = sorted(s.benchmark_id for s in observed if not s.solved)
    passed = sorted(s.benchmark_id for s in observed if s.solved)
    batch = sorted(rng.sample(failed, min(20, len(failed)))) + sorted(
        rng.sample(passed, min(5, len(passed)))
    )
    reserve = FRONT * len(sets["validation"])
    tried: list[tuple[Genome, Any]] = [(base, summarize(measure(run.evaluator, base, batch, seed)))]
    while run.evaluator.solves + len(batch) <= budget - reserve:
        sections = add_instruction(base.sections, rng.choice(instructions))
        genome = Genome(sections, random_settings(rng, base.settings), base.difficulty)
        tried.append((genome, summarize(measure(run.evaluator, genome, batch, seed))))
    scored = [Scored(str(i), o) for i, (_, o) in enumerate(tried)]
    keep = [tried[int(i)][0] for i in front(scored)]
    return run.finish(keep)


# -- GEPA with Arena's proposer -------------------------------------------------------

COMPONENTS = ("instructions", "constraints", "examples", "settings")


def to_candidate(genome: Genome) -> dict[str, str]:
    texts = {s.name: s.text for s in genome.sections}
    candidate = {name: texts.get(name, "") for name in COMPONENTS[:-1]}
    candidate["settings"] = genome.settings.model_dump_json()
    return candidate


def from_candidate(candidate: dict[str, str]) -> Genome:
    sections = tuple(
        PromptSection(name=name, text=candidate.get(name, "")) for name in COMPONENTS[:-1]
    )
    return Genome(sections, TeamSettings.model_validate_json(candidate["settings"]))


class ArenaAdapter:
    """GEPA's view of the engineer: a candidate is a genome; a data instance is a
    benchmark id; the score of one solve is 1 if solved; the proposer is Arena's."""

    def __init__(self, run: Run, seed: int) -> None:
        self.run = run
        self.seed = seed
        self.rng = random.Random(f"gepa/{seed}")

    def evaluate(
        self, batch: list[str], candidate: dict[str, str], capture_traces: bool = False
    ) -> EvaluationBatch[Any, Any]:
        genome = from_candidate(candidate)
        solves = measure(self.run.evaluator, genome, batch, self.seed)
        return EvaluationBatch(
            outputs=[s.solved for s in solves],
            scores=[1.0 if s.solved else 0.0 for s in solves],
            trajectories=[{"reasons": list(s.reasons), "solved": s.solved} for s in solves]
            if capture_traces
            else None,
        )

    def make_reflective_dataset(
        self, candidate: dict[str, str], eval_batch: EvaluationBatch[Any, Any],
        components_to_update: list[str],
    ) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
        rows = [
            {
                "Inputs": "benchmark",
                "Generated Outputs": str(t["solved"]),
                "Feedback": "; ".join(t["reasons"]) or "solved",
            }
            for t in (eval_batch.trajectories or [])
        ]
        return {c: rows for c in components_to_update}

    def propose_new_texts(
        self, candidate: dict[str, str], reflective_dataset: Any, components_to_update: list[str]
    ) -> dict[str, str]:
        """Arena's failure-driven proposer: instructions mined from the feedback's failure
        reasons are added to a text component (or a phrase is rephrased), and the
        settings are mutated; a variant that fails the guards keeps the old text."""
        reasons = [
            r["Feedback"] for rows in reflective_dataset.values() for r in rows
            if r["Feedback"] != "solved"
        ]  # fmt: skip
        instructions = mine(reasons)
        genome = from_candidate(candidate)
        new = dict(candidate)
        for component in components_to_update:
            if component == "settings":
                new["settings"] = mutate_settings(genome.settings, self.rng).model_dump_json()
                continue
            sections = genome.sections
            if component == "constraints" and instructions and self.rng.random() < 0.6:
                pick = instructions[min(int(self.rng.expovariate(0.7)), len(instructions) - 1)]
                sections = add_instruction(sections, pick)
            else:
                sections = rephrase(sections, self.rng)
            text = next((s.text for s in sections if s.name == component), "")
            trial = replace(genome, sections=sections)
            parent = join_sections(genome.sections)
            if guard("engineer", join_sections(trial.sections), parent).passed:
                new[component] = text
        return new


class Quiet:
    """GEPA's log lines are not this harness's output."""

    def log(self, message: str) -> None:
        return None


def run_gepa(sets: dict[str, dict[str, int]], seed: int, budget: int) -> dict[str, Any]:
    run = Run(sets, seed, budget)
    adapter = ArenaAdapter(run, seed)
    train, valid = list(sets["train"]), list(sets["validation"])
    reserve = FRONT * len(valid)
    result = gepa.optimize(
        seed_candidate=to_candidate(default_genome()), trainset=train, valset=valid,
        adapter=adapter, max_metric_calls=budget - reserve, reflection_minibatch_size=6,
        module_selector="all", seed=seed, display_progress_bar=False, raise_on_exception=False,
        skip_perfect_score=False, logger=Quiet(),
    )  # fmt: skip
    order = sorted(range(len(result.candidates)), key=lambda i: -result.val_aggregate_scores[i])
    genomes = [from_candidate(result.candidates[i]) for i in order]
    return run.finish(genomes)


# -- the harness ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=4000, help="Metric calls per method.")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--train", type=int, default=6, help="Benchmarks per level (2-5).")
    parser.add_argument("--validation", type=int, default=3, help="Benchmarks per level (2-5).")
    parser.add_argument("--heldout", type=int, default=8, help="Benchmarks per level (1-5).")
    args = parser.parse_args()
    sets = benchmark_sets(
        {"train": args.train, "validation": args.validation, "heldout": args.heldout}
    )
    sizes = {k: len(v) for k, v in sets.items()}
    print(
        f"sets: train {sizes['train']} (levels 2-5), validation {sizes['validation']} "
        f"(levels 2-5), held-out {sizes['heldout']} (levels 1-5); budget {args.budget} "
        f"metric calls per method and seed; {args.seeds} seeds"
    )
    print(
        f"hypervolume: held-out points (1 - success, tokens / {TOKEN_SCALE:g}) against the "
        f"reference point {HV_REFERENCE}; held-out success on levels {HARD}"
    )
    print("evaluator: optimizer.surrogate (a model of the offline team, not MuJoCo)")
    started = time.perf_counter()
    rows: dict[str, list[dict[str, Any]]] = {"default": [], "nsga2": [], "random": [], "gepa": []}
    for seed in range(args.seeds):
        rows["default"].append(run_default(sets, seed))
        rows["nsga2"].append(asyncio.run(run_nsga2(sets, seed, args.budget)))
        rows["random"].append(run_random(sets, seed, args.budget))
        rows["gepa"].append(run_gepa(sets, seed, args.budget))
        for method in ("nsga2", "random", "gepa"):
            r = rows[method][-1]
            print(
                f"seed {seed} {method:6}: calls {r['metric_calls']:5} front {r['front']} "
                f"hv {r['hv']:.4f} held-out success {r['heldout_success']:.3f} "
                f"tokens {r['heldout_tokens']:.0f} sims {r['heldout_simulations']:.1f}"
            )
        d = rows["default"][-1]
        print(f"seed {seed} default: hv {d['hv']:.4f} held-out success {d['heldout_success']:.3f}")

    def mean(method: str, key: str) -> float:
        return round(statistics.mean(r[key] for r in rows[method]), 4)

    hv = {m: mean(m, "hv") for m in ("nsga2", "random", "gepa")}
    print(
        f"hv ratios: nsga2/random {hv['nsga2'] / max(hv['random'], 1e-9):.3f}, "
        f"nsga2/gepa {hv['nsga2'] / max(hv['gepa'], 1e-9):.3f}; held-out success gain over "
        f"default: {mean('nsga2', 'heldout_success') - mean('default', 'heldout_success'):+.3f} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    print(
        json.dumps(
            {
                "bench": "optimize",
                "budget": args.budget,
                "seeds": args.seeds,
                "hv": hv,
                "heldout_success": {
                    m: mean(m, "heldout_success") for m in ("default", "nsga2", "gepa")
                },
                "heldout_cost": {
                    m: mean(m, "heldout_tokens") for m in ("default", "nsga2", "gepa")
                },
            }
        )
    )


if __name__ == "__main__":
    main()
