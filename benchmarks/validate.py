"""``arena validate`` against a bare compile + 100 steps of the same file, same run.

    .venv/bin/python benchmarks/validate.py [--repeats 3] [--files tests/simrunner/corpus]

For every MJCF file (default: the real-world corpus of the tests, plus two large
overlapping meshes), the median wall time of a full validation is divided by the median
time of compiling the file and stepping it 100 times. The goal is a median ratio of at
most 2. The last line is one JSON object:
``{"bench": "validate", "files": n, "median_ratio": r, "worst_ratio": w, "worst": name}``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import mujoco
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from arena_core.cad.mesh import Mesh  # noqa: E402
from simrunner import engine  # noqa: E402
from simrunner.validate import validate  # noqa: E402


def bare(path: Path) -> None:
    model = engine.compile_model(path)
    data = mujoco.MjData(model)
    for _ in range(100):
        mujoco.mj_step(model, data)


def timed(call: object, path: Path, repeats: int) -> float:
    assert callable(call)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def large_meshes(folder: Path) -> Path:
    """Two overlapping 36 k-triangle spheres: the shape that once took minutes."""
    rings, segments = 120, 150
    theta = np.linspace(0, math.pi, rings + 1)[:, None]
    phi = np.linspace(0, 2 * math.pi, segments + 1)[None, :]
    grid = 0.1 * np.stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta) + 0 * phi],
        axis=-1,
    )
    triangles = []
    for i in range(rings):
        for j in range(segments):
            a, b, c, d = grid[i, j], grid[i, j + 1], grid[i + 1, j], grid[i + 1, j + 1]
            if i > 0:
                triangles.append([a, c, b])
            if i < rings - 1:
                triangles.append([b, c, d])
    (folder / "ball.stl").write_bytes(Mesh(np.array(triangles)).to_binary_stl())
    path = folder / "large_meshes.xml"
    path.write_text(
        '<mujoco><asset><mesh name="ball" file="ball.stl"/></asset><worldbody>'
        '<geom name="floor" type="plane" size="0 0 0.05"/>'
        '<body pos="0 0 1"><freejoint/><geom type="mesh" mesh="ball"/></body>'
        '<body pos="0.1 0 1"><freejoint/><geom type="mesh" mesh="ball"/></body>'
        "</worldbody></mujoco>"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files", type=Path, default=REPO / "tests/simrunner/corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = sorted(args.files.glob("**/*.xml"))
        paths = [p for p in paths if p.parent.name != "common"] + [large_meshes(Path(tmp))]
        ratios: dict[str, float] = {}
        for path in paths:
            validate_s = timed(validate, path, args.repeats)
            bare_s = timed(bare, path, args.repeats)
            name = f"{path.parent.name}/{path.name}" if path.is_relative_to(REPO) else path.name
            ratios[name] = validate_s / bare_s
            print(
                f"{name:40} validate {validate_s * 1000:8.1f} ms   "
                f"compile+100 steps {bare_s * 1000:8.1f} ms   ratio {ratios[name]:.2f}"
            )
    worst = max(ratios, key=lambda name: ratios[name])
    print(
        json.dumps(
            {
                "bench": "validate",
                "files": len(ratios),
                "median_ratio": round(statistics.median(ratios.values()), 3),
                "worst_ratio": round(ratios[worst], 3),
                "worst": worst,
            }
        )
    )


if __name__ == "__main__":
    main()
