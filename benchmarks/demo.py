"""`arena demo` wall time, and solve throughput with 2 engineer + 2 simrunner processes vs 1 + 1.

Each configuration runs `arena demo --benchmarks N --json` in a fresh directory; solve
throughput is solve jobs finished per second of the solve phase (first solve request to
last solve result), so generation time does not dilute it. Last line: one JSON object.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import orjson

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8


def run_demo(*workers: str) -> tuple[float, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env.pop("ANTHROPIC_API_KEY", None)
    args = [sys.executable, "-m", "arena_core.cli", "demo", "--benchmarks", str(N), "--json"]
    for w in workers:
        args += ["--workers", w]
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        result = subprocess.run(args, cwd=home, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"arena demo failed ({' '.join(workers)}):\n{result.stderr[-3000:]}")
    return wall, orjson.loads(result.stdout.strip().splitlines()[-1])


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
    print(f"solve throughput: 1+1 {r1:.3f}/s, 2+2 {r2:.3f}/s")
    print(
        orjson.dumps(
            {"bench": "demo", "wall_s": round(wall, 1), "scale": round(r2 / r1, 3) if r1 else None}
        ).decode()
    )


if __name__ == "__main__":
    main()
