"""The offline team's solve rate on generated benchmarks, per family.

For each procedural family, ``--per-family`` seeded benchmarks (the spec the family maps
to, never its reference solution) are solved by the offline planner, engineer and
critic over an embedded nats-server with the real simrunner and sandbox, ``--parallel``
at a time. An accepted solution has passed the simrunner on every jittered copy and
every constraint (cost, mass, placement, process), so ``accepted_violations`` must be 0.

Last line: {"bench": "solve", "solve_rate": {family: rate}, "mean_cost_over_budget": x,
"sim_calls_per_solve": y, ...}
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
from engineer.solving import SolveTarget, request_for, solve, team_in_process  # noqa: E402
from generator.families import FAMILIES, spec_from_draft  # noqa: E402


def targets(per_family: int, seed0: int, difficulty: int) -> list[tuple[str, SolveTarget]]:
    found = []
    for name, family in sorted(FAMILIES.items()):
        for seed in range(seed0, seed0 + per_family):
            spec = spec_from_draft(family.draw(seed, difficulty))
            found.append((name, SolveTarget(f"{name}-seed{seed}", spec)))
    return found


async def run(per_family: int, parallel: int, seed0: int, difficulty: int) -> dict[str, object]:
    work = targets(per_family, seed0, difficulty)
    results: dict[str, list[SolveJobCompleted | None]] = {name: [] for name, _ in work}
    with tempfile.TemporaryDirectory(prefix="arena-solve-") as tmp:
        root = Path(tmp)
        with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
            settings = Settings(
                nats_url=server.url, home=root / ".arena", workspace=root / "workspace"
            )
            began = time.perf_counter()
            async with team_in_process(settings) as bus:
                gate = asyncio.Semaphore(parallel)

                async def one(family: str, target: SolveTarget) -> None:
                    async with gate:
                        done = await solve(bus, request_for(target, key=target.benchmark_id))
                    results[family].append(done if isinstance(done, SolveJobCompleted) else None)

                await asyncio.gather(*(one(f, t) for f, t in work))
            wall = time.perf_counter() - began
    solved = [d for ds in results.values() for d in ds if d is not None and d.solved]
    everything = [d for ds in results.values() for d in ds if d is not None]
    over_budget = [d.cost / d.max_cost for d in solved if d.cost is not None and d.max_cost]
    violations = sum(
        1
        for d in solved
        if (d.max_cost is not None and (d.cost or 0) > d.max_cost)
        or (d.max_mass_kg is not None and (d.mass_kg or 0) > d.max_mass_kg)
    )
    return {
        "bench": "solve",
        "solve_rate": {
            f: round(sum(1 for d in ds if d is not None and d.solved) / len(ds), 3)
            for f, ds in sorted(results.items())
        },
        "mean_cost_over_budget": round(sum(over_budget) / max(len(over_budget), 1), 4),
        "sim_calls_per_solve": round(sum(d.sim_calls for d in everything) / max(len(solved), 1), 2),
        "accepted_violations": violations,
        "benchmarks": len(work),
        "difficulty": difficulty,
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-family", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", type=int, default=1, choices=range(1, 6))
    args = parser.parse_args()
    report = asyncio.run(run(args.per_family, args.parallel, args.seed, args.difficulty))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
