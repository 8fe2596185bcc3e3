"""Arena's NSGA-II optimizer against random search and GEPA, at an equal budget.

Every method searches the same genome (the engineer's prompt sections + team settings)
with the same evaluator and the same number of metric calls (real solves, counting every
evaluation a method asks for: GEPA's minibatches and validation passes, NSGA-II's
regression batches, the final validation of each method's front):

- ``nsga2``: ``optimizer.loop.Loop``, the service's own decisions (observe the default's
  solves of the train set -> failed targets + passed controls -> propose -> guard ->
  regression batch -> NSGA-II select);
- ``random``: genomes drawn uniformly from the same space (random settings, one library
  instruction added), each evaluated on the same batch;
- ``gepa``: ``gepa.optimize`` driving the same evaluator through ``optimizer.gepa_adapter``
  (Arena's failure-driven proposer) on the train set, its valset the validation set.

Each method's final front (NSGA-II's and random search's members that no other beats on
both success and tokens in their own search, GEPA's candidates by validation score; best
first, at most ``--front`` of them, evenly spaced from the best to the cheapest) is
evaluated on the validation set beside the default (counted), which promotes its
candidate (best validation success; ties: the better score in the method's own search,
then fewer tokens; the default stays when the best validates below it); the fronts and
candidates are then measured on the held-out set (the harness's measurement, not
counted). Hypervolume is of the held-out points (1 - success, tokens / TOKEN_SCALE,
both clipped to [0, 1]) against the reference point (1, 1): the area of the unit square
they dominate.

The evaluator is ``optimizer.inprocess.TeamEvaluator``: the real offline team (planner,
engineer, critic and simrunner services: build123d in the sandbox, MuJoCo) in this
process on an embedded nats-server, every solve of levels 4-5 benchmarks drawn from the
generator's families, at rollout seed 0.

The default (every method's start) is the packaged engineer profile spending at most
``--default-sim-calls`` simulations per solve (20: the budget the benchmarks' difficulty
is calibrated at); a solve may take up to ``--max-sim-calls`` (80, 4x), so a genome's
``max_tool_calls`` is a real knob: more simulations buy success with tokens and time,
which is the trade-off the fronts are made of.
The team is deterministic, so solves are cached by (effective settings, benchmark): the
harness's seeds vary the methods' randomness, not the solves. A cache hit still counts
as a metric call of the method that asked (without the cache it would be a real solve);
the output states how many real solves ran.

Last line: {"bench": "optimize", "budget": B, "seeds": 3, "hv": {...},
"heldout_success": {"default", "nsga2", "gepa"}, "heldout_cost": {...}, "sizes": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import gepa  # noqa: E402

from arena_core.bus import EmbeddedNats  # noqa: E402
from arena_core.events import Payload  # noqa: E402
from arena_core.profiles import Profile, join_sections, packaged_profile  # noqa: E402
from arena_core.settings import Settings  # noqa: E402
from arena_core.spec import BenchmarkSpec  # noqa: E402
from arena_core.stack import services_in_process  # noqa: E402
from generator.families import FAMILIES, spec_from_draft  # noqa: E402
from optimizer.evaluate import Solve, summarize  # noqa: E402
from optimizer.genome import Genome, random_settings  # noqa: E402
from optimizer.gepa_adapter import ArenaAdapter, Quiet, from_candidate, to_candidate  # noqa: E402
from optimizer.guards import DailyBudget  # noqa: E402
from optimizer.inprocess import Meter, TeamEvaluator  # noqa: E402
from optimizer.library import mine  # noqa: E402
from optimizer.loop import Loop, Plan  # noqa: E402
from optimizer.operators import add_instruction  # noqa: E402
from optimizer.select import Scored, front  # noqa: E402

HV_REFERENCE = (1.0, 1.0)
"""(1 - success, tokens / TOKEN_SCALE) of the worst point that counts."""
TOKEN_SCALE = 250_000.0
"""Tokens per solve that count as the worst cost: about five times the default's (53k at
20 simulations on levels 4-5), so genomes that buy two or three times its simulations
still have a place on the cost axis; a solve that spends all 80 (300k tokens or more)
sits at its edge."""
LEVELS = (4, 5)
"""The hardest two difficulty levels: every set is drawn from them."""
TEAM = ("simrunner", "planner", "engineer", "critic")
SET_SEEDS = {"train": 100, "validation": 200, "heldout": 300}
"""First generator seed of each set (the sets never share a benchmark)."""

Sets = dict[str, dict[str, BenchmarkSpec]]


def benchmark_sets(per_level: dict[str, int]) -> Sets:
    """Benchmark id -> spec for the train, validation and held-out sets: levels 4 and 5,
    the generator's families in turn."""
    names = sorted(FAMILIES)
    sets: Sets = {}
    for name, first in SET_SEEDS.items():
        chosen: dict[str, BenchmarkSpec] = {}
        for _ in range(per_level[name]):
            for d in LEVELS:
                k = len(chosen)
                family = names[(k + first // 100 * 3) % len(names)]
                seed = first + k
                chosen[f"{family}-d{d}-s{seed}"] = spec_from_draft(FAMILIES[family].draw(seed, d))
        sets[name] = chosen
    return sets


def hypervolume(points: list[tuple[float, float]]) -> float:
    """Area dominated by ``points`` (both coordinates minimised) inside the reference box."""
    rx, ry = HV_REFERENCE
    area, floor = 0.0, ry
    for x, y in sorted((min(x, rx), min(y, ry)) for x, y in points):
        if y < floor:
            area += (rx - x) * (floor - y)
            floor = y
    return round(area, 6)


def spread(n: int, k: int) -> list[int]:
    """``k`` of ``n`` ranked front members, evenly spaced from the best to the other end
    (the cheapest), so the validated members span the front the hypervolume measures."""
    if n <= k:
        return list(range(n))
    if k == 1:
        return [0]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def on_the_plane(members: list[tuple[Genome, float, float]]) -> list[tuple[Genome, float]]:
    """The (genome, success, tokens) members no other beats on both success and tokens,
    as the method's own search measured them, best success first: the front in the plane
    the hypervolume measures, so ``spread`` validates its best and its cheapest end (a
    front of four objectives otherwise ends at its fewest simulations or lowest latency)."""
    kept = [
        (g, s, t)
        for g, s, t in members
        if not any(s2 >= s and t2 <= t and (s2, t2) != (s, t) for _, s2, t2 in members)
    ]
    kept.sort(key=lambda m: (-m[1], m[2]))  # stable: the first of equal points stays
    plane: list[tuple[Genome, float]] = []
    seen: set[tuple[float, float]] = set()
    for g, s, t in kept:
        if (s, t) not in seen:
            seen.add((s, t))
            plane.append((g, s))
    return plane


def point(solves: list[Solve]) -> tuple[float, float]:
    o = summarize(solves)
    return (1.0 - o.success, min(o.tokens / TOKEN_SCALE, 1.0))


async def measure(meter: Meter, genome: Genome, ids: list[str]) -> list[Solve]:
    return await meter.run(genome.settings, join_sections(genome.sections), ids)


def knobs(settings: dict[str, Any]) -> str:
    """The promoted settings in short (population, tool calls, stress test, margin)."""
    return (
        f"pop {settings['population']} calls {settings['max_tool_calls']} "
        f"stress {int(settings['stress_test'])} margin {settings['time_margin']}"
    )


def default_genome(sim_calls: int) -> Genome:
    """The packaged engineer profile spending at most ``sim_calls`` simulations per solve."""
    p = packaged_profile("engineer")
    return Genome(p.sections, p.settings.model_copy(update={"max_tool_calls": sim_calls}),
                  p.difficulty)  # fmt: skip


class Run:
    """One method on one seed: its metered evaluator, its front and candidate, measured."""

    def __init__(
        self, team: TeamEvaluator, sets: Sets, seed: int, args: argparse.Namespace
    ) -> None:
        self.team = team
        self.default = default_genome(args.default_sim_calls)
        self.meter = Meter(team)
        self.sets = sets
        self.seed = seed
        self.front_size: int = args.front
        self.controls: int = args.controls

    @property
    def reserve(self) -> int:
        """Metric calls kept for validating the final front and the default beside it."""
        return (self.front_size + 1) * len(self.sets["validation"])

    async def observe(self) -> tuple[list[Solve], list[str]]:
        """The default's solves of the train set (the recording) and a regression batch of
        up to 20 failed targets and ``controls`` passed controls."""
        observed = await measure(self.meter, self.default, list(self.sets["train"]))
        rng = random.Random(f"batch/{self.seed}")
        failed = sorted(s.benchmark_id for s in observed if not s.solved)
        passed = sorted(s.benchmark_id for s in observed if s.solved)
        batch = sorted(rng.sample(failed, min(20, len(failed)))) + sorted(
            rng.sample(passed, min(self.controls, len(passed)))
        )
        return observed, batch

    async def finish(self, genomes: list[Genome], scores: list[float]) -> dict[str, Any]:
        """Validate the method's final front (its best first) and the default (both
        counted), and promote the member with the best validation success (ties: the
        better score in the method's own search, ``scores``, then fewer tokens) unless it
        validates below the default, as the service promotes; measure on the held-out
        set (not counted: the same measurement for every method)."""
        chosen = spread(len(genomes), self.front_size)
        members, scores = [genomes[i] for i in chosen], [scores[i] for i in chosen]
        valid = list(self.sets["validation"])
        floor = summarize(await measure(self.meter, self.default, valid)).success
        picks = []
        for g, score in zip(members, scores, strict=True):
            o = summarize(await measure(self.meter, g, valid))
            picks.append((-o.success, -score, o.tokens, len(picks)))
        calls = self.meter.solves
        best = members[min(picks)[-1]] if -min(picks)[0] >= floor else self.default
        held = list(self.sets["heldout"])
        uncounted = Meter(self.team)
        points = [point(await measure(uncounted, g, held)) for g in members]
        chosen = summarize(await measure(uncounted, best, held))
        return {
            "metric_calls": calls,
            "front": len(members),
            "hv": hypervolume(points),
            "points": [(round(1 - x, 3), round(y * TOKEN_SCALE)) for x, y in points],
            "heldout_success": chosen.success,
            "heldout_tokens": chosen.tokens,
            "heldout_simulations": chosen.simulations,
            "settings": best.settings.model_dump(exclude={"model", "temperature"}),
        }


async def run_default(team: TeamEvaluator, sets: Sets, sim_calls: int) -> dict[str, Any]:
    held = list(sets["heldout"])
    solves = await measure(Meter(team), default_genome(sim_calls), held)
    o = summarize(solves)
    return {
        "heldout_success": o.success,
        "heldout_tokens": o.tokens,
        "hv": hypervolume([point(solves)]),
    }


# -- NSGA-II: the service's loop ----------------------------------------------------


async def run_nsga2(
    team: TeamEvaluator, sets: Sets, seed: int, args: argparse.Namespace
) -> dict[str, Any]:
    run = Run(team, sets, seed, args)
    budget, population = args.budget, args.population
    observed, batch = await run.observe()
    failed = set(s.benchmark_id for s in observed if not s.solved)
    per_eval = len(batch)
    spent = run.meter.solves + run.reserve + per_eval  # the observation, the front, the baseline
    generations = max(1, (budget - spent) // (population * per_eval))
    # The generations that fit, each as large as the rest of the budget allows: calls
    # a smaller population would leave unspent go to more variants per generation.
    population = max(population, (budget - spent) // (generations * per_eval))

    async def emit(payload: Payload) -> None:
        return None

    loop = Loop(run.meter, emit, DailyBudget(max_usd=1.0, max_sim_s=1e12))
    packaged: Profile = packaged_profile("engineer")
    start = packaged.model_copy(update={"settings": run.default.settings})
    plan = Plan(
        role="engineer", generations=generations, population=population, seed=seed,
        targets=tuple(b for b in batch if b in failed),
        controls=tuple(b for b in batch if b not in failed),
        reasons=tuple(r for s in observed if not s.solved for r in s.reasons),
    )  # fmt: skip
    result = await loop.run(start, plan)
    ranked = on_the_plane(
        [(m.genome, m.objectives.success, m.objectives.tokens) for m in result.front]
    )
    out = await run.finish([g for g, _ in ranked] or [run.default], [s for _, s in ranked] or [0.0])
    out["generations"] = generations
    out["population"] = population
    return out


# -- random search ------------------------------------------------------------------


async def run_random(
    team: TeamEvaluator, sets: Sets, seed: int, args: argparse.Namespace
) -> dict[str, Any]:
    run = Run(team, sets, seed, args)
    budget = args.budget
    observed, batch = await run.observe()
    base = run.default
    instructions = mine([r for s in observed if not s.solved for r in s.reasons])
    rng = random.Random(f"random/{seed}")
    tried = [(base, summarize(await measure(run.meter, base, batch)))]
    while run.meter.solves + len(batch) <= budget - run.reserve:
        sections = (
            add_instruction(base.sections, rng.choice(instructions))
            if instructions
            else base.sections
        )
        genome = Genome(sections, random_settings(rng, base.settings), base.difficulty)
        tried.append((genome, summarize(await measure(run.meter, genome, batch))))
    scored = [Scored(str(i), o) for i, (_, o) in enumerate(tried)]
    found = [tried[int(i)] for i in front(scored)]
    keep = on_the_plane([(g, o.success, o.tokens) for g, o in found])
    return await run.finish([g for g, _ in keep], [s for _, s in keep])


# -- GEPA with Arena's proposer -------------------------------------------------------


async def run_gepa(
    team: TeamEvaluator, sets: Sets, seed: int, args: argparse.Namespace
) -> dict[str, Any]:
    run = Run(team, sets, seed, args)
    budget = args.budget
    loop = asyncio.get_running_loop()

    def solves(genome: Genome, ids: list[str]) -> list[Solve]:  # GEPA runs in a thread
        return asyncio.run_coroutine_threadsafe(measure(run.meter, genome, ids), loop).result()

    adapter = ArenaAdapter(solves, seed)
    train, valid = list(sets["train"]), list(sets["validation"])
    result = await asyncio.to_thread(
        gepa.optimize,
        seed_candidate=to_candidate(run.default), trainset=train, valset=valid,
        adapter=adapter, max_metric_calls=budget - run.reserve,
        reflection_minibatch_size=min(3, len(train)), module_selector="all", seed=seed,
        display_progress_bar=False, raise_on_exception=False, skip_perfect_score=False,
        logger=Quiet(),
    )  # fmt: skip
    order = sorted(range(len(result.candidates)), key=lambda i: -result.val_aggregate_scores[i])
    genomes = [from_candidate(result.candidates[i]) for i in order]
    return await run.finish(genomes, [result.val_aggregate_scores[i] for i in order])


# -- the harness ----------------------------------------------------------------------


async def harness(args: argparse.Namespace, sets: Sets) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {"default": [], "nsga2": [], "random": [], "gepa": []}
    specs = {b: spec for chosen in sets.values() for b, spec in chosen.items()}
    with tempfile.TemporaryDirectory(prefix="arena-optimize-") as tmp:
        root = Path(tmp)
        with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
            settings = Settings(
                nats_url=server.url, home=root / ".arena", workspace=root / "workspace"
            )
            async with services_in_process(settings, TEAM, record=False) as bus:
                team = TeamEvaluator(
                    bus, specs, max_sim_calls=args.max_sim_calls, parallel=args.parallel
                )
                await team.start()
                default = await run_default(team, sets, args.default_sim_calls)
                for seed in range(args.seeds):
                    rows["default"].append(default)  # rollout seed 0: the same solves
                    rows["nsga2"].append(await run_nsga2(team, sets, seed, args))
                    rows["random"].append(await run_random(team, sets, seed, args))
                    rows["gepa"].append(await run_gepa(team, sets, seed, args))
                    for method in ("nsga2", "random", "gepa"):
                        r = rows[method][-1]
                        print(
                            f"seed {seed} {method:6}: calls {r['metric_calls']:4} front "
                            f"{r['front']} hv {r['hv']:.4f} held-out success "
                            f"{r['heldout_success']:.3f} tokens {r['heldout_tokens']:.0f} "
                            f"sims {r['heldout_simulations']:.1f} ({knobs(r['settings'])}); "
                            f"front on held-out (success, tokens) {r['points']}; "
                            f"real solves so far "
                            f"{team.real}, cache hits {team.hits}",
                            flush=True,
                        )
                print(
                    f"default: hv {default['hv']:.4f} held-out success "
                    f"{default['heldout_success']:.3f} tokens {default['heldout_tokens']:.0f}"
                )
                rows["team"] = [{"real": team.real, "hits": team.hits, "solve_s": team.wall_s}]
                await team.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=192, help="Metric calls per method.")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--train", type=int, default=3, help="Benchmarks per level (4, 5).")
    parser.add_argument("--validation", type=int, default=4, help="Benchmarks per level.")
    parser.add_argument("--heldout", type=int, default=4, help="Benchmarks per level.")
    parser.add_argument("--front", type=int, default=2, help="Front members validated.")
    parser.add_argument("--population", type=int, default=3, help="NSGA-II's population.")
    parser.add_argument(
        "--controls", type=int, default=2, help="Passed train benchmarks in each batch."
    )
    parser.add_argument(
        "--default-sim-calls", type=int, default=20,
        help="Simulations per solve of the default profile (the calibrated budget).",
    )  # fmt: skip
    parser.add_argument(
        "--max-sim-calls", type=int, default=80,
        help="Simulations a solve may take: the most a genome's max_tool_calls can buy.",
    )  # fmt: skip
    parser.add_argument("--parallel", type=int, default=2, help="Solves at once.")
    args = parser.parse_args()
    sets = benchmark_sets(
        {"train": args.train, "validation": args.validation, "heldout": args.heldout}
    )
    sizes = {k: len(v) for k, v in sets.items()}
    print(
        f"sets (levels {LEVELS}): train {sizes['train']}, validation {sizes['validation']}, "
        f"held-out {sizes['heldout']}; budget {args.budget} metric calls per method and seed; "
        f"{args.seeds} seeds; the default spends at most {args.default_sim_calls} "
        f"simulations per solve, a genome at most {args.max_sim_calls}"
    )
    print(
        f"hypervolume: held-out points (1 - success, tokens / {TOKEN_SCALE:g}) against the "
        f"reference point {HV_REFERENCE}"
    )
    print(
        "evaluator: the offline team in this process (planner, engineer, critic, simrunner; "
        "build123d, MuJoCo), rollout seed 0, solves cached by (effective settings, benchmark); "
        "cache hits count as metric calls of the method that asked"
    )
    started = time.perf_counter()
    rows = asyncio.run(harness(args, sets))
    team = rows.pop("team")[0]

    def mean(method: str, key: str) -> float:
        return round(statistics.mean(r[key] for r in rows[method]), 4)

    hv = {m: mean(m, "hv") for m in ("nsga2", "random", "gepa")}
    wall = time.perf_counter() - started
    print(
        f"hv ratios: nsga2/random {hv['nsga2'] / max(hv['random'], 1e-9):.3f}, "
        f"nsga2/gepa {hv['nsga2'] / max(hv['gepa'], 1e-9):.3f}; held-out success gain over "
        f"default: {mean('nsga2', 'heldout_success') - mean('default', 'heldout_success'):+.3f} "
        f"in {wall:.0f} s ({team['real']} real solves, {team['hits']} cache hits)"
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
                "metric_calls": {m: mean(m, "metric_calls") for m in ("nsga2", "random", "gepa")},
                "sizes": {
                    **sizes,
                    "levels": list(LEVELS),
                    "front": args.front,
                    "population": args.population,
                    "batch_controls": args.controls,
                    "hv_reference": list(HV_REFERENCE),
                    "default_sim_calls": args.default_sim_calls,
                    "max_sim_calls": args.max_sim_calls,
                    "rollout_seed": 0,
                    "token_scale": TOKEN_SCALE,
                },
                "evaluator": "offline team in process (build123d, MuJoCo); a cache hit is a "
                "metric call of the method that asked, held-out measurement is not counted",
                "real_solves": team["real"],
                "cache_hits": team["hits"],
                "wall_s": round(wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
