"""Interpenetration at t=0: contact depths from MuJoCo, intersection volumes of meshes.

MuJoCo collides meshes by their convex hulls, so for CAD meshes the overlap of the actual
solids is estimated too: a sweep over world-aligned bounding boxes finds candidate pairs,
then points sampled in each pair's box overlap are tested against both solids
(``solids.inside``: a grid-binned ray test, milliseconds per pair even for large meshes).
Pairs MuJoCo never collides (contype/conaffinity, same or parent-child bodies, explicit
excludes) are skipped, exactly as MuJoCo skips them.
"""

from __future__ import annotations

import time

import mujoco
import numpy as np
from numpy.typing import NDArray

from arena_core.events.sim import ValidationFailure, ValidationFailureKind
from simrunner.engine import object_name
from simrunner.limits import Limits
from simrunner.solids import GEOM, MESH, inside, mesh_triangles

_VOLUMETRIC = {
    int(g)
    for g in (
        GEOM.mjGEOM_SPHERE,
        GEOM.mjGEOM_CAPSULE,
        GEOM.mjGEOM_ELLIPSOID,
        GEOM.mjGEOM_CYLINDER,
        GEOM.mjGEOM_BOX,
        GEOM.mjGEOM_MESH,
    )
}


def _geom_label(model: mujoco.MjModel, geom: int) -> str:
    name = object_name(model, mujoco.mjtObj.mjOBJ_GEOM, geom)
    body = object_name(model, mujoco.mjtObj.mjOBJ_BODY, int(model.geom_bodyid[geom]))
    return name if mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_GEOM, geom) else f"{name}@{body}"


def deepest_contact(data: mujoco.MjData) -> float:
    """Largest penetration depth among the current contacts (0 when none overlap)."""
    if data.ncon == 0:
        return 0.0
    return max(0.0, float(-data.contact.dist[: data.ncon].min()))


def contact_penetrations(
    model: mujoco.MjModel, data: mujoco.MjData, tolerance: float
) -> list[ValidationFailure]:
    """Contacts deeper than ``tolerance`` after ``mj_forward``, deepest per geom pair."""
    deepest: dict[tuple[int, int], float] = {}
    for i in range(data.ncon):
        contact = data.contact[i]
        depth = -float(contact.dist)
        if depth > tolerance:
            pair = (min(contact.geom1, contact.geom2), max(contact.geom1, contact.geom2))
            deepest[pair] = max(depth, deepest.get(pair, 0.0))
    failures = []
    for (g1, g2), depth in sorted(deepest.items()):
        failure = _interpenetration(
            model, g1, g2,
            f"{{a}} and {{b}} overlap by {depth * 1000:.2f} mm at t=0 "
            f"(tolerance {tolerance * 1000:.2f} mm)",
            depth_m=depth,
        )  # fmt: skip
        failures.append(failure)
    return failures


def _interpenetration(
    model: mujoco.MjModel,
    g1: int,
    g2: int,
    message: str,
    **measured: float,
) -> ValidationFailure:
    """Geoms ``g1`` and ``g2`` overlap: a failure naming both (in ``message``, at its
    ``{a}`` and ``{b}``) with what was ``measured`` (depth or volume)."""
    a, b = _geom_label(model, g1), _geom_label(model, g2)
    return ValidationFailure(
        kind=ValidationFailureKind.interpenetration,
        message=message.format(a=a, b=b),
        subjects=(a, b),
        **measured,
    )


def collides(model: mujoco.MjModel, g1: int, g2: int) -> bool:
    """Whether MuJoCo's broad-phase filter lets geoms ``g1`` and ``g2`` touch."""
    if not (
        model.geom_contype[g1] & model.geom_conaffinity[g2]
        or model.geom_contype[g2] & model.geom_conaffinity[g1]
    ):
        return False
    b1, b2 = int(model.geom_bodyid[g1]), int(model.geom_bodyid[g2])
    w1, w2 = int(model.body_weldid[b1]), int(model.body_weldid[b2])
    if w1 == w2:
        return False
    filter_parent = not model.opt.disableflags & int(mujoco.mjtDisableBit.mjDSBL_FILTERPARENT)
    p1 = int(model.body_weldid[model.body_parentid[w1]])
    p2 = int(model.body_weldid[model.body_parentid[w2]])
    if filter_parent and w1 != 0 and w2 != 0 and (w1 == p2 or w2 == p1):
        return False
    if model.nexclude:
        signature = (min(b1, b2) << 16) + max(b1, b2)
        if signature in set(model.exclude_signature.tolist()):
            return False
    return True


def _world_box(
    model: mujoco.MjModel, data: mujoco.MjData, geom: int, triangles: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rot = data.geom_xmat[geom].reshape(3, 3)
    if triangles is not None:
        points = triangles.reshape(-1, 3) @ rot.T + data.geom_xpos[geom]
        return points.min(axis=0), points.max(axis=0)
    center = rot @ model.geom_aabb[geom, :3] + data.geom_xpos[geom]
    half = np.abs(rot) @ model.geom_aabb[geom, 3:]
    return center - half, center + half


def candidate_pairs(
    boxes: list[tuple[int, NDArray[np.float64], NDArray[np.float64]]],
) -> list[tuple[int, int]]:
    """Pairs whose world boxes overlap (sweep and prune along x)."""
    order = sorted(boxes, key=lambda b: float(b[1][0]))
    active: list[tuple[int, NDArray[np.float64], NDArray[np.float64]]] = []
    pairs = []
    for geom, low, high in order:
        active = [a for a in active if a[2][0] > low[0]]
        for other, olow, ohigh in active:
            if (olow < high).all() and (low < ohigh).all():
                pairs.append((min(geom, other), max(geom, other)))
        active.append((geom, low, high))
    return sorted(pairs)


def mesh_overlaps(
    model: mujoco.MjModel, data: mujoco.MjData, limits: Limits, deadline: float
) -> list[ValidationFailure]:
    """Pairs involving a mesh whose solids intersect by more than the volume tolerance.

    Stops at ``deadline`` with a ``resource_limit`` failure naming how far it got;
    overlaps found before then are kept.
    """
    geoms = [
        g
        for g in range(model.ngeom)
        if int(model.geom_type[g]) in _VOLUMETRIC
        and (model.geom_contype[g] or model.geom_conaffinity[g])
    ]
    if not any(int(model.geom_type[g]) == MESH for g in geoms):
        return []
    meshes = {g: mesh_triangles(model, g) for g in geoms if int(model.geom_type[g]) == MESH}
    boxes = [(g, *_world_box(model, data, g, meshes.get(g))) for g in geoms]
    bounds = {g: (low, high) for g, low, high in boxes}
    per_axis = max(2, round(limits.volume_samples ** (1 / 3)))
    pairs = [
        (g1, g2)
        for g1, g2 in candidate_pairs(boxes)
        if MESH in (int(model.geom_type[g1]), int(model.geom_type[g2]))  # else: exact depth
        and collides(model, g1, g2)
    ]
    failures = []
    for done, (g1, g2) in enumerate(pairs):
        if time.monotonic() > deadline:
            failures.append(
                ValidationFailure(
                    kind=ValidationFailureKind.resource_limit,
                    message=f"mesh overlap check exceeded the {limits.wall_limit_s:g} s time "
                    f"limit after {done} of {len(pairs)} geom pairs",
                )
            )
            break
        low = np.maximum(bounds[g1][0], bounds[g2][0])
        high = np.minimum(bounds[g1][1], bounds[g2][1])
        axes = [
            lo + (np.arange(per_axis) + 0.5) * (hi - lo) / per_axis
            for lo, hi in zip(low, high, strict=True)
        ]
        points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
        in_first = points[inside(model, data, g1, points, meshes.get(g1))]
        both = int(inside(model, data, g2, in_first, meshes.get(g2)).sum())
        volume = both / len(points) * float(np.prod(high - low))
        if volume > limits.volume_tolerance_m3:
            failure = _interpenetration(
                model, g1, g2,
                f"solids {{a}} and {{b}} intersect: about {volume * 1e6:.2f} cm^3 "
                f"(tolerance {limits.volume_tolerance_m3 * 1e6:.2f} cm^3)",
                volume_m3=volume,
            )  # fmt: skip
            failures.append(failure)
    return failures
