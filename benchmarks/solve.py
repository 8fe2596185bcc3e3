"""The offline team's solve rate on generated benchmarks, per family.

For each procedural family, ``--per-family`` seeded benchmarks (the spec the family maps
to, never its reference solution) are solved by the offline planner, engineer and
critic over an embedded nats-server with the real simrunner and sandbox, ``--parallel``
at a time. An accepted solution has passed the simrunner on every jittered copy and
every constraint (cost, mass, placement, process), so ``accepted_violations`` must be 0.

``--difficulty 1-5`` sweeps the difficulties on one team: ``--per-family`` benchmarks
per family at difficulty 1, ``--per-family-hard`` (default half as many) at 2..5.
``solves_after_first_generation`` counts solves that needed more simulations than a
first-generation success (``FIRST_GENERATION_SIM_CALLS``).

Last line: {"bench": "solve", "solve_rate": {family: rate at the lowest difficulty},
"mean_cost_over_budget": x, "sim_calls_per_solve": y, ..., "by_difficulty": {"1": {...},
..., "5": {...}}}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from arena_core.bus import EmbeddedNats  # noqa: E402
from arena_core.events.engineer import SolveJobCompleted  # noqa: E402
from arena_core.settings import Settings  # noqa: E402
from arena_core.stack import services_in_process  # noqa: E402
from engineer.solving import TEAM, SolveTarget, request_for, solve  # noqa: E402
from generator.families import FAMILIES, spec_from_draft  # noqa: E402


def targets(per_family: int, seed0: int, difficulty: int) -> list[tuple[str, SolveTarget]]:
    found = []
    for name, family in sorted(FAMILIES.items()):
        for seed in range(seed0, seed0 + per_family):
            spec = spec_from_draft(family.draw(seed, difficulty))
            found.append((name, SolveTarget(f"{name}-d{difficulty}-seed{seed}", spec)))
    return found


FIRST_GENERATION_SIM_CALLS = 9
"""Simulations of a solve that succeeds in the search's first generation: six designs,
one stress test and the official run and critic's check of one submission."""


def summary(results: dict[str, list[SolveJobCompleted | None]]) -> dict[str, object]:
    """Solve rate per family, cost over budget and simulation spend of one difficulty."""
    solved = [d for ds in results.values() for d in ds if d is not None and d.solved]
    everything = [d for ds in results.values() for d in ds if d is not None]
    over_budget = [d.cost / d.max_cost for d in solved if d.cost is not None and d.max_cost]
    violations = sum(
        1
        for d in solved
        if (d.max_cost is not None and (d.cost or 0) > d.max_cost)
        or (d.max_mass_kg is not None and (d.mass_kg or 0) > d.max_mass_kg)
    )
    reasons: dict[str, int] = {}
    for d in everything:
        if not d.solved:
            key = (d.reasons[0] if d.reasons else d.outcome.value)[:80]
            reasons[key] = reasons.get(key, 0) + 1
    return {
        "solve_rate": {
            f: round(sum(1 for d in ds if d is not None and d.solved) / len(ds), 3)
            for f, ds in sorted(results.items())
        },
        "mean_cost_over_budget": round(sum(over_budget) / max(len(over_budget), 1), 4),
        "sim_calls_per_solve": round(sum(d.sim_calls for d in everything) / max(len(solved), 1), 2),
        "solves_after_first_generation": sum(
            1 for d in solved if d.sim_calls > FIRST_GENERATION_SIM_CALLS
        ),
        "solved": len(solved),
        "accepted_violations": violations,
        "unsolved_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])[:5]),
        "benchmarks": sum(len(ds) for ds in results.values()),
    }


async def run(
    per_family: dict[int, int], parallel: int, seed0: int, max_sim_calls: int
) -> dict[str, object]:
    """Solve ``per_family[d]`` benchmarks of every family at each difficulty ``d``."""
    cells: dict[int, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="arena-solve-") as tmp:
        root = Path(tmp)
        with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
            settings = Settings(
                nats_url=server.url, home=root / ".arena", workspace=root / "workspace"
            )
            async with services_in_process(settings, TEAM, record=False) as bus:
                gate = asyncio.Semaphore(parallel)
                for difficulty, count in sorted(per_family.items()):
                    work = targets(count, seed0, difficulty)
                    results: dict[str, list[SolveJobCompleted | None]] = {n: [] for n, _ in work}

                    async def one(target: SolveTarget) -> SolveJobCompleted | None:
                        async with gate:
                            done = await solve(
                                bus,
                                request_for(
                                    target, key=target.benchmark_id, max_sim_calls=max_sim_calls
                                ),
                                timeout=1800,
                            )
                        if isinstance(done, SolveJobCompleted):
                            print(
                                f"  {target.benchmark_id}: solved={done.solved} "
                                f"sim_calls={done.sim_calls} "
                                f"cost/budget={(done.cost or 0) / (done.max_cost or 1):.2f} "
                                f"{'; '.join(done.reasons)[:200]}",
                                file=sys.stderr,
                            )
                            return done
                        return None

                    began = time.perf_counter()
                    ends = await asyncio.gather(*(one(t) for _, t in work))
                    for (family, _), end in zip(work, ends, strict=True):
                        results[family].append(end)
                    cell = summary(results)
                    cell["wall_s"] = round(time.perf_counter() - began, 1)
                    cells[difficulty] = cell
                    print(f"difficulty {difficulty}: {json.dumps(cell)}", file=sys.stderr)
    first = cells[min(cells)]
    return {
        "bench": "solve",
        "solve_rate": first["solve_rate"],
        "mean_cost_over_budget": first["mean_cost_over_budget"],
        "sim_calls_per_solve": first["sim_calls_per_solve"],
        "accepted_violations": sum(int(str(c["accepted_violations"])) for c in cells.values()),
        "benchmarks": sum(int(str(c["benchmarks"])) for c in cells.values()),
        "difficulty": min(cells),
        "per_family": {str(d): n for d, n in sorted(per_family.items())},
        "max_sim_calls": max_sim_calls,
        "wall_s": round(sum(float(str(c["wall_s"])) for c in cells.values()), 1),
        "by_difficulty": {str(d): c for d, c in sorted(cells.items())},
    }


def difficulties(text: str) -> list[int]:
    """``3``, ``1-5`` or ``1,3,5``."""
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-", 1))
        chosen = list(range(lo, hi + 1))
    else:
        chosen = [int(x) for x in text.split(",")]
    if not chosen or any(d < 1 or d > 5 for d in chosen):
        raise argparse.ArgumentTypeError(f"difficulties are 1..5, got {text!r}")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-family", type=int, default=20, help="benchmarks per family at 1")
    parser.add_argument(
        "--per-family-hard", type=int, default=None, help="per family at 2..5 (default: half)"
    )
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-sim-calls", type=int, default=120)
    parser.add_argument(
        "--difficulty", type=difficulties, default=[1], help="3, a sweep 1-5, or a list 1,3,5"
    )
    args = parser.parse_args()
    hard = (
        args.per_family_hard if args.per_family_hard is not None else max(args.per_family // 2, 1)
    )
    per_family = {d: args.per_family if d == 1 else hard for d in args.difficulty}
    report = asyncio.run(run(per_family, args.parallel, args.seed, args.max_sim_calls))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
