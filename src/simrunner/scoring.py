"""Cost, mass and manufacturability of a solution, computed here from the geometry.

Nothing the designer reports is trusted: volumes come from the primitives' formulas or
the mesh triangles, masses from the benchmark's material densities.
"""

from __future__ import annotations

import numpy as np

from arena_core.events.sim import ConstraintViolation, PartScore, Scoring, ViolationKind
from arena_core.spec import BenchmarkSpec, Mesh, Solution, SolutionPart
from arena_core.spec.base import Vec3
from arena_core.spec.geometry import world_aabb
from simrunner.meshes import MeshError, MeshLibrary

PLACEMENT_TOLERANCE_M = 1e-6
"""How far a part may poke out of the build zone (rounding of poses)."""
SHEET_TOLERANCE_M = 1e-4
"""How close a laser-cut part's thickness must be to the sheet's."""
CLAIM_TOLERANCE = 0.05
"""Relative difference of a claimed mass from the computed one that earns a note."""


def _geometry(part: SolutionPart, meshes: MeshLibrary) -> tuple[float, Vec3, tuple[Vec3, Vec3]]:
    """Volume, local extents and world bounds of a part (``MeshError`` when unusable)."""
    geometry = part.geometry
    if isinstance(geometry, Mesh):
        mesh = meshes.mesh(geometry.sha256, geometry.scale)
        volume = mesh.volume
        if volume <= 0:
            raise MeshError("the mesh encloses no volume (is it closed?)")
        low, high = mesh.bounds
        size = high - low
        rot = np.array(part.pose.rotation())
        points = mesh.triangles.reshape(-1, 3) @ rot.T + np.array(part.pose.pos)
        wl, wh = points.min(axis=0), points.max(axis=0)
        return (
            volume,
            (float(size[0]), float(size[1]), float(size[2])),
            (
                (float(wl[0]), float(wl[1]), float(wl[2])),
                (float(wh[0]), float(wh[1]), float(wh[2])),
            ),
        )
    half = geometry.half_extents()
    return (
        geometry.volume(),
        (2 * half[0], 2 * half[1], 2 * half[2]),
        world_aabb(geometry, part.pose),
    )


def score(spec: BenchmarkSpec, solution: Solution, meshes: MeshLibrary | None = None) -> Scoring:
    """Cost and mass of every part, and every constraint the solution breaks."""
    meshes = meshes or MeshLibrary()
    rules = spec.constraints.process
    violations: list[ConstraintViolation] = []
    notes: list[str] = []
    parts: list[PartScore] = []

    def violate(
        kind: ViolationKind,
        message: str,
        part: str | None = None,
        value: float | None = None,
        limit: float | None = None,
    ) -> None:
        violations.append(
            ConstraintViolation(kind=kind, message=message, part=part, value=value, limit=limit)
        )

    for part in solution.parts:
        material = spec.material(part.material)
        if material is None:
            violate(
                ViolationKind.unknown_material,
                f"part {part.name} uses material "
                f"{part.material!r}, which the benchmark does not offer",
                part.name,
            )
            continue
        if part.motor is not None and spec.motor(part.motor) is None:
            violate(
                ViolationKind.unknown_motor,
                f"part {part.name} is attached to motor "
                f"{part.motor!r}, which the benchmark does not have",
                part.name,
            )
        try:
            volume, size, (low, high) = _geometry(part, meshes)
        except MeshError as exc:
            violate(ViolationKind.bad_mesh, f"part {part.name}: {exc}", part.name)
            continue
        mass, cost = material.mass_and_cost(volume)
        extent = tuple(sorted(size, reverse=True))
        parts.append(
            PartScore(
                name=part.name,
                material=material.name,
                volume_m3=volume,
                mass_kg=mass,
                cost=cost,
                extent_m=(extent[0], extent[1], extent[2]),
                claimed_mass_kg=part.claimed.mass if part.claimed else None,
            )
        )
        if part.claimed and abs(part.claimed.mass - mass) > CLAIM_TOLERANCE * max(mass, 1e-9):
            notes.append(
                f"part {part.name}: claimed mass {part.claimed.mass:.4g} kg, computed {mass:.4g} kg"
            )
        if not spec.build_zone.contains_box(low, high, PLACEMENT_TOLERANCE_M):
            violate(
                ViolationKind.outside_build_zone,
                f"part {part.name} extends outside build zone {spec.build_zone.label}",
                part.name,
            )
        if rules is None:
            continue
        if rules.materials and material.name not in rules.materials:
            violate(
                ViolationKind.process_rule,
                f"part {part.name}: {rules.process} cannot use "
                f"{material.name} (allowed: {', '.join(rules.materials)})",
                part.name,
            )
        if rules.max_extent is not None:
            limit = sorted(rules.max_extent, reverse=True)
            if any(e > m + 1e-9 for e, m in zip(extent, limit, strict=True)):
                violate(
                    ViolationKind.process_rule,
                    f"part {part.name}: size "
                    f"{_dims(extent)} exceeds {rules.process} limit {_dims(limit)}",
                    part.name,
                    value=extent[0],
                    limit=limit[0],
                )
        if rules.min_thickness is not None and extent[2] < rules.min_thickness - 1e-9:
            violate(
                ViolationKind.process_rule,
                f"part {part.name}: {extent[2] * 1000:.2f} mm is "
                f"thinner than {rules.min_thickness * 1000:.2f} mm",
                part.name,
                value=extent[2],
                limit=rules.min_thickness,
            )
        if (
            rules.sheet_thickness is not None
            and abs(extent[2] - rules.sheet_thickness) > SHEET_TOLERANCE_M
        ):
            violate(
                ViolationKind.process_rule,
                f"part {part.name}: thickness "
                f"{extent[2] * 1000:.2f} mm is not the {rules.sheet_thickness * 1000:.2f} mm "
                "sheet",
                part.name,
                value=extent[2],
                limit=rules.sheet_thickness,
            )

    if rules is not None and rules.max_parts is not None and len(solution.parts) > rules.max_parts:
        violate(
            ViolationKind.process_rule,
            f"{len(solution.parts)} parts; {rules.process} allows {rules.max_parts}",
            value=len(solution.parts),
            limit=rules.max_parts,
        )
    total_cost = sum(p.cost for p in parts)
    total_mass = sum(p.mass_kg for p in parts)
    limits = spec.constraints
    if limits.max_cost is not None and total_cost > limits.max_cost:
        violate(
            ViolationKind.over_cost,
            f"cost {total_cost:.2f} exceeds {limits.max_cost:.2f}",
            value=total_cost,
            limit=limits.max_cost,
        )
    if limits.max_mass is not None and total_mass > limits.max_mass:
        violate(
            ViolationKind.over_mass,
            f"mass {total_mass:.3f} kg exceeds {limits.max_mass:.3f} kg",
            value=total_mass,
            limit=limits.max_mass,
        )
    return Scoring(
        parts=tuple(parts),
        total_cost=total_cost,
        total_mass_kg=total_mass,
        violations=tuple(violations),
        notes=tuple(notes),
    )


def _dims(values: tuple[float, ...] | list[float]) -> str:
    return " x ".join(f"{v * 1000:.1f}" for v in values) + " mm"
