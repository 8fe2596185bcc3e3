"""CAD job latency: the warm sandbox pool against a cold sandbox process, same job, same run.

    .venv/bin/python benchmarks/sandbox.py [--warm-runs 20] [--cold-runs 3]

Both paths isolate the job the same way; the cold one starts a fresh Python that
imports build123d for each job, the warm one forks a server that already has.
The last line is one JSON object: ``{"bench": "sandbox", "speedup": S, ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from arena_core.cad import run_cad
from arena_core.sandbox import Sandbox

CAD_JOB = """
from build123d import Box, Cylinder, Pos
from arena_cad import Part

def build():
    return [
        Part("base", Box(0.2, 0.1, 0.02), role="static", density=2700.0),
        Part("peg", Pos(0, 0, 0.04) * Cylinder(0.01, 0.06), role="dynamic", density=1240.0),
    ]
"""


async def latencies(sandbox: Sandbox, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await run_cad(CAD_JOB, sandbox=sandbox)
        times.append(time.perf_counter() - started)
        if not result.ok:
            raise SystemExit(f"benchmark job failed: {result.rejections}")
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        async with Sandbox(root=root / "warm", pool_size=1) as warm:
            started = time.perf_counter()
            await warm.start()
            pool_start_s = time.perf_counter() - started
            warm_times = await latencies(warm, args.warm_runs)
        async with Sandbox(root=root / "cold", pool_size=1, warm=False) as cold:
            cold_times = await latencies(cold, args.cold_runs)
    warm_s, cold_s = statistics.median(warm_times), statistics.median(cold_times)
    print(f"pool start (one-off)   {pool_start_s:8.3f} s")
    print(f"warm pool, median of {len(warm_times):2d} {warm_s * 1000:8.1f} ms")
    print(f"cold process, median of {len(cold_times):2d} {cold_s * 1000:8.1f} ms")
    print(
        json.dumps(
            {
                "bench": "sandbox",
                "speedup": round(cold_s / warm_s, 2),
                "warm_ms": round(warm_s * 1000, 1),
                "cold_ms": round(cold_s * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
