"""Loads a CAD script, checks, measures and meshes its parts; runs inside the sandbox.

This file is the code of the sandbox job: ``run_cad`` sends its source, so it uses
only the standard library, build123d and OCP, never arena_core. It reads
``cad_job.json`` and ``model.py`` from the workspace and writes ``cad_result.json``
and one binary STL per accepted part under ``meshes/``. The contract is described in
``arena_core.cad``.
"""

from __future__ import annotations

import json
import math
import re
import sys
import traceback
import types
from pathlib import Path
from typing import Any

JOB_FILE = "cad_job.json"
MODEL_FILE = "model.py"
RESULT_FILE = "cad_result.json"
MESH_DIR = "meshes"
MAX_PARTS = 64
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MIN_VOLUME_M3 = 1e-12
"""A millimetre cube is 1e-9 m^3; anything below a thousandth of that is empty."""


class Part:
    """One named solid of a design: ``Part("arm", shape, role="solution", density=1240.0)``."""

    __slots__ = ("density", "name", "role", "shape")

    def __init__(self, name: str, shape: Any, *, role: str, density: float) -> None:
        self.name = name
        self.shape = shape
        self.role = role
        self.density = density

    def __repr__(self) -> str:
        return f"Part({self.name!r}, role={self.role!r}, density={self.density!r})"


def _contract_module() -> types.ModuleType:
    module = types.ModuleType(
        "arena_cad", "What CAD scripts import: ``from arena_cad import Part``."
    )
    module.Part = Part  # type: ignore[attr-defined]
    return module


def _reject(reason: str, detail: str, part: str | None = None) -> dict[str, Any]:
    return {"reason": reason, "detail": detail[-8000:], "part": part}


def _check_part(part: Any, seen: set[str]) -> dict[str, Any] | None:
    if not isinstance(part, Part):
        return _reject("bad_return", f"build() returned {type(part).__name__}, not a Part")
    name = part.name
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return _reject("invalid_name", f"part name {name!r} must match {NAME_PATTERN.pattern}")
    if name in seen:
        return _reject("duplicate_name", f"two parts are named {name!r}", name)
    seen.add(name)
    if not isinstance(part.role, str) or not NAME_PATTERN.match(part.role):
        return _reject(
            "invalid_role", f"role {part.role!r} must match {NAME_PATTERN.pattern}", name
        )
    density = part.density
    if (
        isinstance(density, bool)
        or not isinstance(density, int | float)
        or not math.isfinite(density)
        or density <= 0
    ):
        return _reject("invalid_density", f"density {density!r} must be a positive kg/m^3", name)
    return None


def _measure(part: Part, mesh_dir: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Check one part's shape and return its measurement, or a rejection."""
    from build123d import Shape, export_stl
    from OCP.BRepGProp import BRepGProp
    from OCP.GProp import GProp_GProps
    from OCP.ShapeAnalysis import ShapeAnalysis_Shell

    name, shape = part.name, part.shape
    if not isinstance(shape, Shape) or shape.wrapped is None:
        return _reject(
            "not_a_shape", f"shape is {type(shape).__name__}, not a build123d solid", name
        )
    solids = shape.solids()
    if not solids:
        return _reject("empty", f"{type(shape).__name__} holds no solid", name)
    shells = ShapeAnalysis_Shell()
    shells.LoadShells(shape.wrapped)
    shells.CheckOrientedShells(shape.wrapped, True, False)
    if shells.HasFreeEdges() or shells.HasBadEdges():
        detail = (
            "open shell (edges bound by one face)"
            if shells.HasFreeEdges()
            else (
                "edges shared by more than two faces or wrongly oriented (e.g. solids touching "
                "along an edge)"
            )
        )
        return _reject("non_manifold", detail, name)
    if not shape.is_valid:
        return _reject("invalid_shape", "the B-rep fails OCCT's validity check", name)
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape.wrapped, props)
    volume = props.Mass()
    if not math.isfinite(volume) or volume < MIN_VOLUME_M3:
        return _reject("empty", f"volume {volume:.3g} m^3 is zero or negative", name)
    centre = props.CentreOfMass()
    matrix = props.MatrixOfInertia()
    density = float(part.density)
    inertia = [
        matrix.Value(i, j) * density for i, j in ((1, 1), (2, 2), (3, 3), (1, 2), (1, 3), (2, 3))
    ]
    box = shape.bounding_box(optimal=True)

    mesh = mesh_dir / f"{name}.stl"
    try:
        exported = export_stl(
            shape,
            str(mesh),
            tolerance=float(job["tolerance_m"]),
            angular_tolerance=float(job["angular_tolerance_rad"]),
            ascii_format=False,
        )
    except Exception as error:  # OCCT raises many types; each is a meshing failure here.
        return _reject("mesh_failed", f"{type(error).__name__}: {error}", name)
    triangles = _stl_triangles(mesh) if exported and mesh.exists() else 0
    if triangles == 0:
        return _reject("mesh_failed", "the tessellation produced no triangles", name)
    return {
        "name": name,
        "role": part.role,
        "density_kg_m3": density,
        "volume_m3": volume,
        "mass_kg": volume * density,
        "centre_of_mass_m": [centre.X(), centre.Y(), centre.Z()],
        "inertia_kg_m2": inertia,
        "bbox_min_m": [box.min.X, box.min.Y, box.min.Z],
        "bbox_max_m": [box.max.X, box.max.Y, box.max.Z],
        "solids": len(solids),
        "mesh": f"{MESH_DIR}/{name}.stl",
        "triangles": triangles,
    }


def _stl_triangles(path: Path) -> int:
    with path.open("rb") as f:
        header = f.read(84)
    return int.from_bytes(header[80:84], "little") if len(header) == 84 else 0


def _format_error(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    # Only the script's frames help its author; the harness's own are noise.
    own = [f for f in frames if f.filename == MODEL_FILE]
    lines = traceback.format_list(own) + traceback.format_exception_only(error)
    return "Traceback (most recent call last):\n" + "".join(lines)


def evaluate(job: dict[str, Any]) -> dict[str, Any]:
    """Run the script, then check and measure every part it builds."""
    sys.modules["arena_cad"] = _contract_module()
    source = Path(MODEL_FILE).read_text()
    namespace: dict[str, Any] = {"__name__": "model"}
    try:
        exec(compile(source, MODEL_FILE, "exec"), namespace)
    except Exception as error:
        return {"parts": [], "rejections": [_reject("code_error", _format_error(error))]}
    build = namespace.get("build")
    if not callable(build):
        return {
            "parts": [],
            "rejections": [_reject("no_build", "the script defines no build() function")],
        }
    try:
        built = build()
    except Exception as error:
        return {"parts": [], "rejections": [_reject("code_error", _format_error(error))]}
    if isinstance(built, Part):
        built = [built]
    if not isinstance(built, list | tuple):
        detail = f"build() returned {type(built).__name__}, not a list of Part"
        return {"parts": [], "rejections": [_reject("bad_return", detail)]}
    if not built:
        return {"parts": [], "rejections": [_reject("no_parts", "build() returned no parts")]}
    if len(built) > MAX_PARTS:
        detail = f"build() returned {len(built)} parts; at most {MAX_PARTS} are allowed"
        return {"parts": [], "rejections": [_reject("too_many_parts", detail)]}

    mesh_dir = Path(MESH_DIR)
    mesh_dir.mkdir(exist_ok=True)
    parts: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    seen: set[str] = set()
    for part in built:
        problem = _check_part(part, seen)
        if problem is None:
            try:
                measured = _measure(part, mesh_dir, job)
            except Exception as error:
                measured = _reject("invalid_shape", f"{type(error).__name__}: {error}", part.name)
            problem = measured if "reason" in measured else None
            if problem is None:
                parts.append(measured)
        if problem is not None:
            rejections.append(problem)
    return {"parts": parts, "rejections": rejections}


def main() -> None:
    job = json.loads(Path(JOB_FILE).read_text())
    result = evaluate(job)
    Path(RESULT_FILE).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
