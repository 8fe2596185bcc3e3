"""Mapping measured CAD parts onto simulator primitives, or keeping them as meshes.

A part whose exact (B-rep) mass properties are those of a box, a sphere or a cylinder
is simulated as that primitive, in any pose: the centre of mass gives the position,
the principal axes of inertia the orientation, the principal moments the dimensions.
The guess is accepted only when its volume and its world bounding box both agree
with the harness's measurements; anything else (wedges, unions, fillets) travels as
the part's STL mesh, which MuJoCo collides as its convex hull.

Primitives collide exactly and cheaply (a tessellated ball rolls badly), and they
make the spec small and its hash independent of the mesher. Values are rounded to
the micrometre so that the same script always yields the same spec.
"""

from __future__ import annotations

import math

import numpy as np

from arena_core.cad import CadPart
from arena_core.spec import Box, Cylinder, Mesh, Pose, SolidGeometry, Sphere, world_aabb

VOLUME_TOLERANCE = 1e-3
"""Largest relative volume difference between the part and the recognized primitive."""
BOX_TOLERANCE_M = 2e-5
"""Largest difference between the measured and the predicted bounding box (metres)."""
_DIGITS = 6


def _r(x: float) -> float:
    return round(float(x), _DIGITS) + 0.0


def _quat(matrix: np.ndarray) -> tuple[float, float, float, float]:
    """Unit quaternion (w, x, y, z) of a proper rotation matrix, with w >= 0."""
    m = matrix
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > 0:
        s = math.sqrt(trace + 1.0) * 2
        q = (0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s)
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = ((m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s)
    elif m[1, 1] > m[2, 2]:
        s = math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = ((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s)
    else:
        s = math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = ((m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s)
    if q[0] < 0:
        q = (-q[0], -q[1], -q[2], -q[3])
    norm = math.sqrt(sum(c * c for c in q))
    return (_r(q[0] / norm), _r(q[1] / norm), _r(q[2] / norm), _r(q[3] / norm))


def _principal_axes(part: CadPart) -> tuple[np.ndarray, np.ndarray]:
    """Principal moments (ascending) and axes (columns) per unit mass, world-aligned when
    moments coincide so that an axis-aligned shape keeps its axes."""
    ixx, iyy, izz, ixy, ixz, iyz = (v / part.mass_kg for v in part.inertia_kg_m2)
    tensor = np.array([[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]])
    scale = max(abs(ixx), abs(iyy), abs(izz), 1e-30)
    off = max(abs(ixy), abs(ixz), abs(iyz))
    if off <= 1e-9 * scale:
        return np.array([ixx, iyy, izz]), np.eye(3)
    moments, axes = np.linalg.eigh(tensor)
    if np.linalg.det(axes) < 0:
        axes[:, 2] = -axes[:, 2]
    return moments, axes


def _matches(part: CadPart, geometry: Box | Sphere | Cylinder, pose: Pose) -> bool:
    if abs(geometry.volume() - part.volume_m3) > VOLUME_TOLERANCE * part.volume_m3:
        return False
    low, high = world_aabb(geometry, pose)
    return all(
        abs(a - b) <= BOX_TOLERANCE_M
        for a, b in zip((*low, *high), (*part.bbox_min_m, *part.bbox_max_m), strict=True)
    )


def _candidates(part: CadPart) -> list[tuple[Box | Sphere | Cylinder, np.ndarray]]:
    moments, axes = _principal_axes(part)
    found: list[tuple[Box | Sphere | Cylinder, np.ndarray]] = []
    # Box with edges a, b, c: I_x = (b^2 + c^2) / 12 per unit mass, and so on.
    total = float(moments.sum()) / 2
    squares = [12 * (total - float(m)) for m in moments]
    if all(s > 0 for s in squares):
        half = tuple(_r(math.sqrt(s) / 2) for s in squares)
        if all(h > 0 for h in half):
            found.append((Box(half_size=half), axes))
    radius = _r(math.sqrt(2.5 * float(moments.mean())))
    if radius > 0:
        found.append((Sphere(radius=radius), np.eye(3)))
    # Cylinder: the axial moment r^2 / 2 differs from the two equal transverse ones.
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        axial, transverse = float(moments[i]), float(moments[j])
        if abs(moments[j] - moments[k]) > 1e-6 * max(transverse, 1e-30) or axial <= 0:
            continue
        r_sq = 2 * axial
        h_sq = 12 * transverse - 3 * r_sq
        if h_sq <= 0:
            continue
        rotation = np.stack([axes[:, j], axes[:, k], axes[:, i]], axis=1)
        if np.linalg.det(rotation) < 0:
            rotation[:, 0] = -rotation[:, 0]
        cylinder = Cylinder(radius=_r(math.sqrt(r_sq)), half_length=_r(math.sqrt(h_sq) / 2))
        found.append((cylinder, rotation))
    return found


def recognize(part: CadPart) -> tuple[SolidGeometry, Pose]:
    """The primitive and pose a part is, or its mesh at the identity pose."""
    centre = tuple(_r(c) for c in part.centre_of_mass_m)
    if part.solids == 1:
        for geometry, rotation in _candidates(part):
            pose = Pose(pos=(centre[0], centre[1], centre[2]), quat=_quat(rotation))
            if _matches(part, geometry, pose):
                return geometry, pose
    return Mesh(sha256=part.mesh_sha256), Pose()
