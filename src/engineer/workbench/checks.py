"""Manufacturing rules as checks: each turns a measurement into typed violations."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from arena_core.cad.mesh import FloatArray, Mesh
from engineer.workbench import geometry
from engineer.workbench.report import (
    ManufacturabilityReport,
    Measurements,
    Region,
    Unit,
    Vec3,
    Violation,
    ViolationKind,
)
from engineer.workbench.rules import AnyRules

LENGTH_SLACK_M = 1e-6
"""Lengths within a micrometre of a limit meet it (STL coordinates are float32)."""
ANGLE_SLACK_DEG = 1e-3
"""Angles within this of a limit meet it."""
RADIUS_SLACK = 0.02
"""Corner radii are estimated from facets to about 1 %; within 2 % of the tool they pass."""
MAX_CORNER_VIOLATIONS = 16
"""Most tight corners reported one by one (the tightest)."""


def mm(length_m: float) -> str:
    """A length for people: ``1.20 mm``."""
    return f"{length_m * 1000:.2f} mm"


def dims(size: FloatArray | Vec3) -> str:
    """A size for people: ``40.0 x 30.0 x 20.0 mm``."""
    return " x ".join(f"{c * 1000:.1f}" for c in size) + " mm"


def point(values: FloatArray) -> Vec3:
    return (float(values[0]), float(values[1]), float(values[2]))


def region(points: FloatArray) -> Region:
    """The box around ``(n, 3)`` points."""
    return Region(low=point(points.min(axis=0)), high=point(points.max(axis=0)))


def thin_walls(mesh: Mesh, walls: geometry.WallThickness, min_wall_m: float) -> Violation | None:
    """Walls thinner than ``min_wall_m`` anywhere on the surface."""
    thin = np.isfinite(walls.thickness) & (walls.thickness < min_wall_m - LENGTH_SLACK_M)
    if not thin.any():
        return None
    worst = int(np.argmin(np.where(thin, walls.thickness, np.inf)))
    fraction = float(thin[: walls.samples.random_count].mean())
    thinnest = float(walls.thickness[worst])
    return Violation(
        kind=ViolationKind.thin_wall,
        message=f"wall {mm(thinnest)} thick is thinner than the minimum {mm(min_wall_m)}",
        value=thinnest,
        limit=min_wall_m,
        unit="m",
        location=point(walls.samples.points[worst]),
        region=region(walls.samples.points[thin]),
        area_m2=fraction * mesh.surface_area,
        area_fraction=fraction,
    )


def _faces_beyond(
    mesh: Mesh,
    kind: ViolationKind,
    offending: NDArray[np.bool_],
    angles: FloatArray,
    worst_of: Callable[[FloatArray], float],
    limit: float,
    describe: Callable[[float, float], str],
) -> tuple[float, Violation | None]:
    """The area of the ``offending`` faces and, when there are any, one violation at the
    largest face whose angle is the worst (``worst_of`` theirs); ``describe(area, worst)``
    words it."""
    area = float(mesh.areas[offending].sum())
    if not offending.any():
        return area, None
    worst = float(worst_of(angles[offending]))
    face = _largest_of_worst(mesh, offending, angles, worst)
    message = describe(area, worst)
    return area, _faces_violation(mesh, kind, offending, face, message, worst, limit, "deg")


def _faces_violation(
    mesh: Mesh,
    kind: ViolationKind,
    offending: NDArray[np.bool_],
    face: int,
    message: str,
    value: float,
    limit: float,
    unit: Unit,
) -> Violation:
    """A violation over the ``offending`` faces, located at ``face``."""
    area = float(mesh.areas[offending].sum())
    return Violation(
        kind=kind,
        message=message,
        value=value,
        limit=limit,
        unit=unit,
        location=point(mesh.centroids[face]),
        region=region(mesh.corners[offending].reshape(-1, 3)),
        area_m2=area,
        area_fraction=min(1.0, area / mesh.surface_area),
    )


def _largest_of_worst(
    mesh: Mesh, offending: NDArray[np.bool_], angles: FloatArray, worst: float
) -> int:
    """The face to point at: of the ``offending`` faces whose angle is ``worst`` (within
    the slack), the largest."""
    candidates = np.flatnonzero(offending & (np.abs(angles - worst) <= ANGLE_SLACK_DEG))
    return int(candidates[np.argmax(mesh.areas[candidates])])


def overhangs(mesh: Mesh, up: Vec3, max_overhang_deg: float) -> tuple[float, Violation | None]:
    """Downward faces steeper than ``max_overhang_deg`` from vertical, not resting on the bed."""
    angles = geometry.downward_angle_deg(mesh, up)
    over = (angles > max_overhang_deg + ANGLE_SLACK_DEG) & ~geometry.resting_faces(mesh, up)
    return _faces_beyond(
        mesh, ViolationKind.overhang, over, angles, np.max, max_overhang_deg,
        lambda area, steepest: (
            f"{area * 1e6:.0f} mm^2 of downward faces overhang up to {steepest:.1f} deg from "
            f"vertical; the printer manages {max_overhang_deg:.1f} deg without support"
        ),
    )  # fmt: skip


def low_draft(mesh: Mesh, pull: Vec3, min_draft_deg: float) -> tuple[float, Violation | None]:
    """Faces tapering less than ``min_draft_deg`` from the pull direction."""
    draft = geometry.draft_angle_deg(mesh, pull)
    low = draft < min_draft_deg - ANGLE_SLACK_DEG
    return _faces_beyond(
        mesh, ViolationKind.insufficient_draft, low, draft, np.min, min_draft_deg,
        lambda area, least: (
            f"{area * 1e6:.0f} mm^2 of faces have {least:.2f} deg draft along the pull; "
            f"the mould needs {min_draft_deg:.2f} deg"
        ),
    )  # fmt: skip


def undercuts(mesh: Mesh, pull: Vec3, *, what: str) -> tuple[float, Violation | None]:
    """Faces the part hides from both ends of ``pull``; ``what`` names the pull in messages."""
    occluded = geometry.occlusion(mesh, pull)
    hidden = occluded.hidden
    fraction = float(hidden[: occluded.samples.random_count].mean())
    area = fraction * mesh.surface_area
    if not hidden.any():
        return area, None
    faces = occluded.samples.faces[hidden]
    worst = int(np.flatnonzero(hidden)[np.argmax(mesh.areas[faces])])
    violation = Violation(
        kind=ViolationKind.undercut,
        message=(
            f"about {area * 1e6:.0f} mm^2 of faces are hidden from {what} by the part itself "
            "(side holes, grooves or overhanging lips need side actions or another setup)"
        ),
        value=area,
        limit=0.0,
        unit="m2",
        location=point(occluded.samples.points[worst]),
        region=region(occluded.samples.points[hidden]),
        area_m2=area,
        area_fraction=fraction,
    )
    return area, violation


def tight_corners(
    mesh: Mesh, axis: Vec3, tool_radius_m: float
) -> tuple[float | None, list[Violation]]:
    """Internal corners along ``axis`` tighter than the cutter; the tightest radius found."""
    creases = geometry.concave_creases(mesh, axis)
    if len(creases.radius) == 0:
        return None, []
    tightest = float(creases.radius.min())
    tight = np.flatnonzero(creases.radius < tool_radius_m * (1 - RADIUS_SLACK))
    starts = mesh.vertices[creases.edges[tight, 0]]
    ends = mesh.vertices[creases.edges[tight, 1]]
    found: list[tuple[float, Violation]] = []
    for group in geometry.clusters(starts, ends, tool_radius_m):
        radii = creases.radius[tight[group]]
        worst = group[int(np.argmin(radii))]
        radius = float(radii.min())
        shape = "sharp" if radius == 0 else f"{mm(radius)} radius"
        violation = Violation(
            kind=ViolationKind.sharp_internal_corner,
            message=(
                f"{shape} internal corner along the tool axis; a {mm(tool_radius_m)} "
                f"radius cutter leaves material there (fillet it to at least "
                f"{mm(tool_radius_m)})"
            ),
            value=radius,
            limit=tool_radius_m,
            unit="m",
            location=point((starts[worst] + ends[worst]) / 2.0),
            region=region(np.concatenate([starts[group], ends[group]])),
        )
        found.append((radius, violation))
    found.sort(key=lambda item: (item[0], item[1].location))
    violations = [violation for _, violation in found]
    return tightest, violations[:MAX_CORNER_VIOLATIONS]


def envelope(mesh: Mesh, envelope_m: Vec3, *, machine: str) -> Violation | None:
    """The part's box, in its best orientation, larger than the machine's."""
    size = np.sort(mesh.extents)[::-1]
    limit = np.sort(np.asarray(envelope_m))[::-1]
    if (size <= limit + LENGTH_SLACK_M).all():
        return None
    worst = int(np.argmax(size / limit))
    low, high = mesh.bounds
    return Violation(
        kind=ViolationKind.exceeds_envelope,
        message=f"part {dims(size)} does not fit the {machine} {dims(limit)} in any orientation",
        value=float(size[worst]),
        limit=float(limit[worst]),
        unit="m",
        region=Region(low=point(low), high=point(high)),
    )


def allowed_material(
    name: str | None, allowed: tuple[str, ...], *, process: str
) -> Violation | None:
    """The material is not one the process can use."""
    if name is None or not allowed or name in allowed:
        return None
    return Violation(
        kind=ViolationKind.material_not_allowed,
        message=f"{process} cannot use {name}; it uses {', '.join(allowed)}",
    )


def sheet_axis(mesh: Mesh) -> int:
    """The axis a flat part is thinnest along (its sheet normal)."""
    return int(np.argmin(mesh.extents))


def sheet_thickness(mesh: Mesh, thickness_m: float, tolerance_m: float) -> Violation | None:
    """The part is not one sheet thick."""
    thinnest = float(mesh.extents.min())
    if abs(thinnest - thickness_m) <= tolerance_m:
        return None
    return Violation(
        kind=ViolationKind.wrong_sheet_thickness,
        message=f"part is {mm(thinnest)} thick; sheets are {mm(thickness_m)}",
        value=thinnest,
        limit=thickness_m,
        unit="m",
    )


def profile(mesh: Mesh) -> Violation | None:
    """Faces a straight cut through the sheet cannot make: bevels, steps and pockets."""
    axis = sheet_axis(mesh)
    across = np.abs(mesh.normals[:, axis])
    bevel = (across > math.sin(math.radians(1.0))) & (across < math.cos(math.radians(1.0)))
    heights = mesh.corners[:, :, axis]
    low, high = heights.min(), heights.max()
    tolerance = 1e-6 + 1e-4 * float(high - low)
    on_surface = (np.abs(heights - low) <= tolerance).all(axis=1) | (
        np.abs(heights - high) <= tolerance
    ).all(axis=1)
    step = (across >= math.cos(math.radians(1.0))) & ~on_surface
    offending = bevel | step
    if not offending.any():
        return None
    area = float(mesh.areas[offending].sum())
    largest = int(np.flatnonzero(offending)[np.argmax(mesh.areas[offending])])
    message = (
        f"{area * 1e6:.0f} mm^2 of faces are bevelled or lie inside the sheet; "
        "a laser cuts only straight through"
    )
    return _faces_violation(
        mesh, ViolationKind.not_a_profile, offending, largest, message, area, 0.0, "m2"
    )


def measurements(
    mesh: Mesh, walls: geometry.WallThickness | None = None, **found: float | None
) -> Measurements:
    """What was measured on ``mesh``: size, area, volume, walls and the checks' ``found``."""
    extras: dict[str, float | None] = dict(found)
    if walls is not None:
        finite = walls.thickness[np.isfinite(walls.thickness)]
        sampled = walls.random_thickness()
        sampled = sampled[np.isfinite(sampled)]
        extras["min_wall_m"] = float(finite.min()) if len(finite) else None
        extras["median_wall_m"] = float(np.median(sampled)) if len(sampled) else None
    return Measurements.model_validate(
        {
            "extent_m": point(mesh.extents),
            "surface_area_m2": mesh.surface_area,
            "volume_m3": mesh.volume,
            **extras,
        }
    )


def report(
    mesh: Mesh,
    rules: AnyRules,
    *,
    part: str,
    material: str | None,
    checked: tuple[ViolationKind, ...],
    machine: str,
    maker: str,
    found: list[Violation | None] | list[Violation],
    walls: geometry.WallThickness | None = None,
    **measured: float | None,
) -> ManufacturabilityReport:
    """The report on a part for ``rules``' process: every part must fit the ``machine``
    and be of a material the ``maker`` uses, a solid one (``walls`` measured) must have no
    wall thinner than the process makes; ``found`` are the process's own checks (``None``
    = that check passed), ``measured`` its own figures."""
    common = [
        envelope(mesh, rules.envelope_m, machine=machine),
        allowed_material(material, rules.materials, process=maker),
        thin_walls(mesh, walls, rules.min_wall_m) if walls is not None else None,
    ]
    violations = tuple(v for v in [*common, *found] if v is not None)
    return ManufacturabilityReport(
        part=part,
        process=rules.process,
        material=material,
        manufacturable=not violations,
        checked=checked,
        violations=violations,
        measurements=measurements(mesh, walls, **measured),
    )
