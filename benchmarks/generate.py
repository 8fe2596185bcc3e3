"""Accepted benchmarks per minute with 2 generator+simrunner worker pairs vs 1.

Each configuration runs on its own embedded nats-server with worker processes started
like ``arena up`` does: every generator process handles one job at a time with a
one-server sandbox pool, every simrunner one job at a time, so one pair is about one
core of work. Both configurations get the same jobs (every family, the same seeds)
after a warm-up batch that starts the sandbox servers. Acceptance per family is
counted over both runs.

Last line: {"bench": "generate", "scale": X, "accept": {family: rate}, ...}.

``--acceptance N`` measures the reviewer instead: N seeds per family at every difficulty
on one in-process generator and simrunner (a two-server sandbox pool). Last line:
{"bench": "generate", "acceptance": {difficulty: {family: rate}}, "per_cell": N, ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from dependency_injector import providers  # noqa: E402

from arena_core.bus import EmbeddedNats  # noqa: E402
from arena_core.container import container_for, make_bus  # noqa: E402
from arena_core.sandbox import Sandbox  # noqa: E402
from arena_core.settings import Settings  # noqa: E402
from arena_core.stack import ServiceProcesses, nats_for, wait_until_running  # noqa: E402
from generator.batch import BatchReport, run_batch  # noqa: E402
from generator.families import FAMILIES  # noqa: E402
from generator.service import GeneratorService  # noqa: E402
from simrunner.service import SimRunnerService  # noqa: E402

PER_FAMILY = int(os.environ.get("GENERATE_PER_FAMILY", "5"))
"""Jobs per family in each timed batch."""


async def _batches(settings: Settings, seeds: int) -> tuple[float, list[BatchReport]]:
    bus = make_bus(settings, name="bench-generate")
    await bus.connect()
    try:
        for name in sorted(FAMILIES):  # warm-up: sandbox servers start on the first job
            await run_batch(bus, count=1, family=name, seed=10_000, timeout_s=300)
        began = time.perf_counter()
        reports = await asyncio.gather(
            *(
                run_batch(bus, count=seeds, family=name, seed=0, timeout_s=900)
                for name in sorted(FAMILIES)
            )
        )
        return time.perf_counter() - began, list(reports)
    finally:
        await bus.close()


def measure(pairs: int) -> tuple[float, list[BatchReport]]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-generate-{pairs}-"))
    base = Settings(home=home / ".arena", workspace=home / "workspace", nats_url=None)
    with nats_for(base) as settings:
        procs = ServiceProcesses(
            settings,
            home / "logs",
            extra_env={
                "ARENA_SANDBOX_POOL_SIZE": "1",
                "ARENA_HOME": str(home / ".arena"),
                "ARENA_WORKSPACE": str(home / "workspace"),
                "ARENA_LLM": "offline",
            },
        )
        try:
            procs.start("generator", pairs, concurrency=1)
            procs.start("simrunner", pairs, concurrency=1)
            asyncio.run(
                wait_until_running(str(settings.nats_url), {"generator": pairs, "simrunner": pairs})
            )
            return asyncio.run(_batches(settings, PER_FAMILY))
        finally:
            procs.stop()


async def _acceptance(per_cell: int, seed: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-accept-") as tmp:
        root = Path(tmp)
        with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
            settings = Settings(
                nats_url=server.url, home=root / ".arena", workspace=root / "workspace"
            )
            bus = make_bus(settings, name="bench-accept")
            await bus.connect()
            sandbox = Sandbox(root=root / "sandbox", pool_size=2)
            await sandbox.start()
            simrunner = SimRunnerService(bus, settings)
            container = container_for(settings, bus=bus)
            container.sandbox.override(providers.Object(sandbox))
            generator = GeneratorService.from_container(container)
            table: dict[str, dict[str, float]] = {}
            try:
                async with simrunner.running(), generator.running():
                    for difficulty in range(1, 6):
                        reports = await asyncio.gather(
                            *(
                                run_batch(
                                    bus,
                                    count=per_cell,
                                    family=name,
                                    seed=seed,
                                    difficulty=difficulty,
                                    timeout_s=900,
                                )
                                for name in sorted(FAMILIES)
                            )
                        )
                        table[str(difficulty)] = {
                            f: rate for r in reports for f, rate in r.acceptance_by_family().items()
                        }
                        for r in reports:
                            for v in r.verdicts:
                                if not v.accepted:
                                    print(
                                        f"d{difficulty} {v.family} seed {v.seed}: "
                                        f"{v.stage} {v.detail[:300]}",
                                        file=sys.stderr,
                                    )
                        print(f"difficulty {difficulty}: {table[str(difficulty)]}", file=sys.stderr)
            finally:
                await sandbox.close()
                await bus.close()
            return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--acceptance", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.acceptance:
        began = time.perf_counter()
        table = asyncio.run(_acceptance(args.acceptance, args.seed))
        print(
            json.dumps(
                {
                    "bench": "generate",
                    "acceptance": table,
                    "per_cell": args.acceptance,
                    "wall_s": round(time.perf_counter() - began, 1),
                }
            )
        )
        return
    load = os.getloadavg()[0]
    wall_1, reports_1 = measure(1)
    wall_2, reports_2 = measure(2)
    accepted_1 = sum(r.accepted for r in reports_1)
    accepted_2 = sum(r.accepted for r in reports_2)
    rate_1 = accepted_1 / wall_1 * 60
    rate_2 = accepted_2 / wall_2 * 60
    accept: dict[str, float] = {}
    for name in sorted(FAMILIES):
        verdicts = [v for r in reports_1 + reports_2 for v in r.verdicts if v.family == name]
        accept[name] = round(sum(v.accepted for v in verdicts) / len(verdicts), 4)
    print(
        f"1 pair: {accepted_1} accepted in {wall_1:.1f}s ({rate_1:.1f}/min); "
        f"2 pairs: {accepted_2} accepted in {wall_2:.1f}s ({rate_2:.1f}/min)",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "generate",
                "scale": round(rate_2 / rate_1, 3),
                "accept": accept,
                "per_minute": {"1": round(rate_1, 2), "2": round(rate_2, 2)},
                "jobs_per_run": PER_FAMILY * len(FAMILIES),
                "cpus": os.cpu_count(),
                "load_before": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
