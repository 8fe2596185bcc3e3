"""Accepted benchmarks per minute with 2 generator+simrunner worker pairs vs 1.

Each configuration runs on its own embedded nats-server with worker processes started
like ``arena up`` does: every generator process handles one job at a time with a
one-server sandbox pool, every simrunner one job at a time, so one pair is about one
core of work. Both configurations get the same jobs (every family, the same seeds)
after a warm-up batch that starts the sandbox servers. Acceptance per family is
counted over both runs.

Last line: {"bench": "generate", "scale": X, "accept": {family: rate}, ...}.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from arena_core.container import make_bus
from arena_core.settings import Settings
from arena_core.stack import ServiceProcesses, nats_for, wait_until_running
from generator.batch import BatchReport, run_batch
from generator.families import FAMILIES

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


def main() -> None:
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
