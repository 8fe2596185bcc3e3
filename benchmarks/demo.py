"""`arena demo` wall time, and solve throughput with 2 engineer + 2 simrunner processes vs 1 + 1.

Each configuration runs `arena demo --benchmarks N --json` in a fresh directory; solve
throughput is solve jobs finished per second of the solve phase (first solve request to
last solve result), so generation time does not dilute it. The machine's CPU use during
each run is printed too: more processes can only help while the CPUs have idle time
(the offline agents are CPU-bound; LLM-bound runs wait on the network instead).
Last line: one JSON object.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """Fraction of all CPUs busy while it runs (whole machine, not just the demo)."""

    def __enter__(self) -> CpuMeter:
        self.start = cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        busy, total = cpu_times()
        self.busy = (busy - self.start[0]) / max(total - self.start[1], 1)


def run_demo(*workers: str) -> tuple[float, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env.pop("ANTHROPIC_API_KEY", None)
    args = [sys.executable, "-m", "arena_core.cli", "demo", "--benchmarks", str(N), "--json"]
    for w in workers:
        args += ["--workers", w]
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        with CpuMeter() as cpu:
            result = subprocess.run(args, cwd=home, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"arena demo failed ({' '.join(workers)}):\n{result.stderr[-3000:]}")
    out = orjson.loads(result.stdout.strip().splitlines()[-1])
    out["cpu_busy"] = round(cpu.busy, 3)
    return wall, out


def solve_rate(out: dict[str, Any]) -> float:
    solves = sum(1 for r in out["rows"] if r["solved"] is not None)
    return solves / max(out["solve_wall_s"], 1e-9)


def main() -> None:
    wall, single = run_demo("engineer=1", "simrunner=1")
    _, double = run_demo("engineer=2", "simrunner=2")
    r1, r2 = solve_rate(single), solve_rate(double)
    print(
        f"demo --benchmarks {N}: {wall:.1f} s wall, {single['accepted']} accepted, "
        f"{single['solved']} solved"
    )
    print(
        f"solve throughput: 1+1 {r1:.3f}/s (CPUs {single['cpu_busy']:.0%} busy), "
        f"2+2 {r2:.3f}/s (CPUs {double['cpu_busy']:.0%} busy)"
    )
    print(
        orjson.dumps(
            {"bench": "demo", "wall_s": round(wall, 1), "scale": round(r2 / r1, 3) if r1 else None}
        ).decode()
    )


if __name__ == "__main__":
    main()
