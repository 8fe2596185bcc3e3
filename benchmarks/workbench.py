"""Workbench speed on a torus of a few thousand triangles (the size the CAD harness emits).

Preview: our orthographic painter renderer against matplotlib's own 3-D axes
(mplot3d ``Poly3DCollection``) drawing the same triangles at the same size. Checks and
costs: seconds per call, and as a ratio to reading and welding the STL. Each figure is
the best of ROUNDS. Last line: one JSON object.

    .venv/bin/python benchmarks/workbench.py [segments] [rounds]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import numpy as np
import orjson
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from arena_core.spec import STANDARD_MATERIALS
from engineer.preview import ALL_VIEWS, PreviewPart, render_preview
from engineer.workbench import (
    CncRules,
    FdmRules,
    LaserRules,
    Mesh,
    MouldingRules,
    check_manufacturability,
    estimate_cost,
    load_mesh,
)

SEGMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 48
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def torus_stl(segments: int, major: float = 0.03, minor: float = 0.01) -> bytes:
    """A closed torus lying in the xy plane: ``2 * segments * segments / 2`` triangles."""
    ring = segments // 2
    u = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    v = np.linspace(0, 2 * np.pi, ring, endpoint=False)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    points = np.stack(
        [
            (major + minor * np.cos(vv)) * np.cos(uu),
            (major + minor * np.cos(vv)) * np.sin(uu),
            minor * np.sin(vv) + minor,
        ],
        axis=-1,
    )
    triangles = []
    for i in range(segments):
        for j in range(ring):
            a, b = points[i, j], points[(i + 1) % segments, j]
            c, d = points[(i + 1) % segments, (j + 1) % ring], points[i, (j + 1) % ring]
            triangles += [(a, b, c), (a, c, d)]
    tris = np.asarray(triangles, dtype=np.float32)
    records = np.zeros(
        len(tris), dtype=[("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attr", "<u2")]
    )
    records["vertices"] = tris
    return b"\0" * 80 + np.uint32(len(tris)).tobytes() + records.tobytes()


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def mplot3d_sheet(mesh: Mesh, size_px: int) -> bytes:
    figure = Figure(figsize=(size_px / 100, size_px / 100), dpi=100)
    FigureCanvasAgg(figure)
    angles = {"front": (0, -90), "side": (0, 0), "top": (90, -90), "iso": (35, -45)}
    low, high = mesh.bounds
    for index, name in enumerate(ALL_VIEWS):
        axes = figure.add_subplot(2, 2, index + 1, projection="3d")
        axes.add_collection3d(Poly3DCollection(list(mesh.corners), facecolor="orange"))
        axes.set_xlim(low[0], high[0])
        axes.set_ylim(low[1], high[1])
        axes.set_zlim(low[2], high[2])
        axes.view_init(*angles[name])
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "torus.stl"
        path.write_bytes(torus_stl(SEGMENTS))
        mesh = load_mesh(path)
        abs_plastic = next(m for m in STANDARD_MATERIALS if m.name == "abs")
        load_s = best(lambda: load_mesh(path).faces)  # welding happens on first use
        ours_s = best(
            lambda: render_preview([PreviewPart("torus", load_mesh(path))], Path(tmp) / "png")
        )
        mplot3d_s = best(lambda: mplot3d_sheet(load_mesh(path), 512))
        figures: dict[str, float] = {}
        for rules in (FdmRules(), CncRules(), MouldingRules(), LaserRules()):
            figures[f"check_{rules.process}_s"] = best(
                lambda rules=rules: check_manufacturability(load_mesh(path), rules)  # type: ignore[misc]
            )
            figures[f"cost_{rules.process}_s"] = best(
                lambda rules=rules: estimate_cost(load_mesh(path), rules, abs_plastic)  # type: ignore[misc]
            )
    print(f"torus: {len(mesh.faces)} triangles; read and weld {load_s * 1000:.1f} ms")
    print(f"preview sheet (4 views, 512 px): ours {ours_s:.3f} s, mplot3d {mplot3d_s:.3f} s")
    for name, seconds in figures.items():
        print(f"{name:32s} {seconds:.3f} s  ({seconds / load_s:.0f}x reading the mesh)")
    summary = {
        "triangles": len(mesh.faces),
        "load_s": load_s,
        "preview_s": ours_s,
        "mplot3d_preview_s": mplot3d_s,
        "preview_speedup_vs_mplot3d": mplot3d_s / ours_s,
        **figures,
    }
    print(orjson.dumps(summary).decode())


if __name__ == "__main__":
    main()
