"""Steps per second through the simrunner vs a bare ``mj_step`` loop on the same model.

Both run the ball-to-goal scene (no solution, so every copy runs to the time limit) in
the same process, best of a few repeats each. Last line: {"bench": "simrunner", "ratio": R}.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

# This file shares its name with the package it measures: import the package, not itself.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import mujoco  # noqa: E402

from arena_core.spec.examples import ball_to_goal  # noqa: E402
from simrunner import engine  # noqa: E402
from simrunner.limits import Limits  # noqa: E402
from simrunner.meshes import MeshLibrary  # noqa: E402
from simrunner.mjcf import build_mjcf  # noqa: E402
from simrunner.simulate import run_copies, simulate  # noqa: E402

COPIES = 4
SECONDS = 20.0
REPEATS = 3


def bare_steps_per_s(model: mujoco.MjModel, nstep: int) -> float:
    data = mujoco.MjData(model)
    began = time.perf_counter()
    for _ in range(COPIES):
        mujoco.mj_resetData(model, data)
        for _ in range(nstep):
            mujoco.mj_step(model, data)
    return COPIES * nstep / (time.perf_counter() - began)


def main() -> None:
    spec = ball_to_goal(copies=COPIES, within_s=SECONDS)
    scene = build_mjcf(spec)
    with tempfile.TemporaryDirectory() as folder:
        model = engine.without_autoreset(
            engine.compile_model(scene.write(Path(folder), MeshLibrary()))
        )
    nstep = round(SECONDS / model.opt.timestep)
    limits = Limits()
    bare = max(bare_steps_per_s(model, nstep) for _ in range(REPEATS))
    runner = 0.0
    for _ in range(REPEATS):
        _, steps, wall = run_copies(spec, scene, model, limits, time.monotonic() + 600)
        runner = max(runner, steps / wall)
    began = time.perf_counter()
    result = simulate(spec)
    whole = result.metrics.steps / (time.perf_counter() - began)
    print(f"model: {model.nbody} bodies, {model.ngeom} geoms; {COPIES} copies x {nstep} steps")
    print(f"bare mj_step loop:          {bare:12,.0f} steps/s")
    print(f"simrunner simulation phase: {runner:12,.0f} steps/s")
    print(f"simulate() incl. build, validation, scoring: {whole:12,.0f} steps/s")
    print(json.dumps({"bench": "simrunner", "ratio": round(runner / bare, 3)}))


if __name__ == "__main__":
    main()
