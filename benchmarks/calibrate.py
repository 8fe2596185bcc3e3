"""Does difficulty mean compute? Generate every family at every level, then measure.

1. Generate ``--per-cell`` benchmarks per family and difficulty (1..5) through the real
   reviewer (CAD in the sandbox, MuJoCo, the random-design triviality check), and count
   the funnel per family and the benchmarks rejected as trivial.
2. Calibrate every accepted benchmark: ``--rollouts`` solves of the offline team each
   (rollout seeds 0..K-1) with ``--budget`` simulations per solve: pass@1 per level.
3. Calibrate the level-5 benchmarks again with 4x the budget (``--rollouts-4x`` each).

The baseline measured in the same run is the level-5 solve rate at the plain budget;
``ratio_4x`` is the 4x rate over it.

Defaults (4 minutes measured on 2 shared cores): 1 benchmark per family and level (seed 0; 8
families x 5 levels = 40 generated), K = 2 rollouts at 20 simulations, 1 rollout at 80 for
level 5. That is a spot check, not the full-size measurement: the goals are stated across
at least 10 benchmarks per family and level (``--per-cell 10`` or ``CALIBRATE_PER_CELL=10``:
400 benchmarks, 40 minutes measured on 2 cores shared with another harness). ``sizes``
in the JSON says which was run (``full_size`` is true only from 10 per cell) and a line
on stderr says it too.

Last line: {"bench": "calibrate", "families": N, "solve_rate": {"1": r1, ..., "5": r5},
"solve_rate_4x": {"5": r}, "accept": {family: acceptance}, "trivial_rejected": n,
"per_family": {family: {"1": r, "5": r}}, ...}; "per_family_levels" has every level of each
family and "per_family_4x" each family's level-5 rate with 4x the simulations.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from arena_core.bus import Bus, EmbeddedNats  # noqa: E402
from arena_core.db import open_database  # noqa: E402
from arena_core.db.benchmarks import library  # noqa: E402
from arena_core.events import Envelope  # noqa: E402
from arena_core.events.benchmark import ReviewStage  # noqa: E402
from arena_core.events.calibration import (  # noqa: E402
    BenchmarkCalibrated,
    CalibrateJobCompleted,
    CalibrateJobFailed,
    CalibrateJobRequested,
)
from arena_core.jobs.run import BATCH_SERVICES  # noqa: E402
from arena_core.settings import Settings  # noqa: E402
from arena_core.stack import services_in_process  # noqa: E402
from generator.batch import BatchReport, StageCount, run_batch  # noqa: E402
from generator.families import FAMILIES  # noqa: E402

LEVELS = (1, 2, 3, 4, 5)
FULL_SIZE = 10
"""Benchmarks per family and level the difficulty goals are stated for."""


async def _generate(bus: Bus, families: list[str], per_cell: int, seed: int) -> list[BatchReport]:
    return list(
        await asyncio.gather(
            *(
                run_batch(bus, count=per_cell, family=name, seed=seed, difficulty=d,
                          timeout_s=1800)
                for name in families
                for d in LEVELS
            )
        )
    )  # fmt: skip


async def _targets(settings: Settings, ids: set[str]) -> list[Any]:
    """The accepted benchmarks' library rows, once the recorder has folded them in."""
    for _ in range(600):
        with open_database(settings.database_path).connect() as conn:
            rows = [r for r in library(conn) if r.benchmark_id in ids]
        if len(rows) == len(ids):
            return rows
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the library has {len(rows)} of {len(ids)} accepted benchmarks")


async def calibrate(
    bus: Bus, rows: list[Any], *, rollouts: int, max_sim_calls: int
) -> CalibrateJobCompleted:
    """A calibrate job on the bus (the batcher runs it); its answer."""
    if not rows:
        return CalibrateJobCompleted(calibrated=0, failed=0, pass_at_1=0.0, wall_s=0.0)
    job = CalibrateJobRequested(
        benchmark_ids=tuple(r.benchmark_id for r in rows), rollouts=rollouts,
        max_sim_calls=max_sim_calls, concurrency=4,
    )  # fmt: skip
    reply = await bus.request(
        Envelope.new(job), [CalibrateJobCompleted, CalibrateJobFailed], timeout=86_400
    )
    if isinstance(reply.payload, CalibrateJobFailed):
        raise RuntimeError(f"calibration failed: {reply.payload.detail}")
    answer: CalibrateJobCompleted = reply.payload
    return answer


def _rate(found: list[BenchmarkCalibrated]) -> float | None:
    return round(sum(c.pass_at_1 for c in found) / len(found), 4) if found else None


def _funnels(reports: list[BatchReport]) -> dict[str, dict[str, dict[str, float]]]:
    merged: dict[str, dict[ReviewStage, StageCount]] = {}
    for report in reports:
        for family, funnel in report.family_funnels.items():
            into = merged.setdefault(family, {s: StageCount() for s in funnel})
            for stage, count in funnel.items():
                into[stage].entered += count.entered
                into[stage].passed += count.passed
    return {
        family: {
            s.value: {"entered": c.entered, "passed": c.passed, "rate": round(c.rate, 4)}
            for s, c in funnel.items()
        }
        for family, funnel in sorted(merged.items())
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="arena-calibrate-") as tmp:
        root = Path(tmp)
        with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
            settings = Settings(
                nats_url=server.url, home=root / ".arena", workspace=root / "workspace"
            )
            services = ("generator", *BATCH_SERVICES)
            async with services_in_process(settings, services, record=True) as bus:
                reports = await _generate(bus, args.families, args.per_cell, args.seed)
                generated_s = time.perf_counter() - began
                verdicts = [v for r in reports for v in r.verdicts]
                accepted = {v.benchmark_id for v in verdicts if v.accepted and v.benchmark_id}
                targets = await _targets(settings, accepted)
                plain = await calibrate(
                    bus, targets, rollouts=args.rollouts, max_sim_calls=args.budget
                )
                hard = [t for t in targets if t.difficulty == 5]
                more = await calibrate(
                    bus, hard, rollouts=args.rollouts_4x, max_sim_calls=4 * args.budget
                )
    by_level: dict[int, list[BenchmarkCalibrated]] = defaultdict(list)
    by_cell: dict[tuple[str, int], list[BenchmarkCalibrated]] = defaultdict(list)
    for c in plain.results:
        by_level[c.difficulty].append(c)
        by_cell[(c.family, c.difficulty)].append(c)
    accept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in verdicts:
        accept[v.family][0] += v.accepted
        accept[v.family][1] += 1
    baseline = _rate(by_level[5])
    with_4x = _rate(list(more.results))
    return {
        "bench": "calibrate",
        "families": len(args.families),
        "solve_rate": {str(d): _rate(by_level[d]) for d in LEVELS},
        "solve_rate_4x": {"5": with_4x},
        "accept": {f: round(a / n, 4) for f, (a, n) in sorted(accept.items())},
        "trivial_rejected": sum(
            1 for v in verdicts if not v.accepted and v.stage is ReviewStage.not_trivial
        ),
        "per_family": {
            f: {str(d): _rate(by_cell[(f, d)]) for d in (1, 5)} for f in args.families
        },
        "per_family_levels": {
            f: {str(d): _rate(by_cell[(f, d)]) for d in LEVELS} for f in args.families
        },
        "per_family_4x": {
            f: _rate([c for c in more.results if c.family == f]) for f in args.families
        },
        "ratio_4x": round(with_4x / baseline, 4) if baseline and with_4x is not None else None,
        "funnel": _funnels(reports),
        "auccess": {str(d): _mean([c.auccess for c in by_level[d]]) for d in LEVELS},
        "sizes": {
            "per_cell": args.per_cell, "generated": len(verdicts), "accepted": len(accepted),
            "rollouts": args.rollouts, "budget": args.budget,
            "rollouts_4x": args.rollouts_4x, "budget_4x": 4 * args.budget,
            "calibration_failures": len(plain.failures) + len(more.failures),
            "full_size": args.per_cell >= FULL_SIZE,
        },
        "wall_s": {"generate": round(generated_s, 1),
                   "total": round(time.perf_counter() - began, 1)},
    }  # fmt: skip


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--per-cell", type=int, default=int(os.environ.get("CALIBRATE_PER_CELL", "1"))
    )
    parser.add_argument("--rollouts", type=int, default=2)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--rollouts-4x", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--families", default=",".join(sorted(FAMILIES)), help="Comma-separated.")
    args = parser.parse_args()
    args.families = sorted(args.families.split(","))
    unknown = [f for f in args.families if f not in FAMILIES]
    if unknown:
        parser.error(f"unknown families {unknown}; known: {', '.join(sorted(FAMILIES))}")
    if args.per_cell < 1 or args.rollouts < 1 or args.rollouts_4x < 1 or args.budget < 1:
        parser.error("--per-cell, --rollouts, --rollouts-4x and --budget must be at least 1")
    if args.per_cell < FULL_SIZE:
        print(
            f"calibrate: {args.per_cell} benchmark(s) per family and level, a spot check; the "
            f"goals are stated for {FULL_SIZE} (--per-cell {FULL_SIZE}, about 40 minutes on "
            "2 cores)",
            file=sys.stderr,
        )
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
