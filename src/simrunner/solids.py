"""Which points lie inside a geom's solid: primitives exactly, meshes by ray parity.

A mesh test casts a ray from every point and counts the triangles it crosses (odd:
inside). Triangles are binned once into a grid over the plane across the ray, so each
point meets only the few triangles of its cell, not all of them: a 17 k-face mesh
against 4,096 points costs milliseconds. Three rays in fixed, skewed directions vote,
so a ray grazing an edge or slipping through a small hole does not decide alone.
"""

from __future__ import annotations

import mujoco
import numpy as np
from numpy.typing import NDArray

GEOM = mujoco.mjtGeom
MESH = int(GEOM.mjGEOM_MESH)

_GRID = 32
"""Cells per side of the grid the triangles are binned into."""
_PAIRS_PER_BATCH = 400_000
"""Point-triangle pairs tested at once (bounds the memory of one batch)."""


def _rotation(a: float, b: float, c: float) -> NDArray[np.float64]:
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    rz = np.array([[ca, -sa, 0.0], [sa, ca, 0.0], [0.0, 0.0, 1.0]])
    ry = np.array([[cb, 0.0, sb], [0.0, 1.0, 0.0], [-sb, 0.0, cb]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cc, -sc], [0.0, sc, cc]])
    rotation: NDArray[np.float64] = rz @ ry @ rx
    return rotation


_RAY_FRAMES = (
    _rotation(0.31, 0.17, 0.53),
    _rotation(1.93, 0.71, 2.29),
    _rotation(4.07, 1.13, 0.89),
)
"""Frames whose x axis is a ray direction: skewed, so rays rarely run along CAD faces."""


def mesh_triangles(model: mujoco.MjModel, geom: int) -> NDArray[np.float64]:
    """The triangles of a mesh geom, in the geom's frame (faces x 3 x 3)."""
    mesh = int(model.geom_dataid[geom])
    v0, nv = int(model.mesh_vertadr[mesh]), int(model.mesh_vertnum[mesh])
    f0, nf = int(model.mesh_faceadr[mesh]), int(model.mesh_facenum[mesh])
    vertices = np.asarray(model.mesh_vert[v0 : v0 + nv], dtype=np.float64)
    faces = np.asarray(model.mesh_face[f0 : f0 + nf])
    triangles: NDArray[np.float64] = vertices[faces]
    return triangles


def inside(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    geom: int,
    points: NDArray[np.float64],
    triangles: NDArray[np.float64] | None = None,
) -> NDArray[np.bool_]:
    """Which world ``points`` lie inside the solid of ``geom``."""
    rot = data.geom_xmat[geom].reshape(3, 3)
    local = (points - data.geom_xpos[geom]) @ rot
    size = model.geom_size[geom]
    kind = int(model.geom_type[geom])
    x, y, z = local[:, 0], local[:, 1], local[:, 2]
    if kind == int(GEOM.mjGEOM_SPHERE):
        return np.asarray(np.einsum("ij,ij->i", local, local) < size[0] ** 2)
    if kind == int(GEOM.mjGEOM_BOX):
        return np.asarray((np.abs(local) < size).all(axis=1))
    if kind == int(GEOM.mjGEOM_CYLINDER):
        return np.asarray((x * x + y * y < size[0] ** 2) & (np.abs(z) < size[1]))
    if kind == int(GEOM.mjGEOM_CAPSULE):
        zc = np.clip(z, -size[1], size[1])
        return np.asarray(x * x + y * y + (z - zc) ** 2 < size[0] ** 2)
    if kind == int(GEOM.mjGEOM_ELLIPSOID):
        return np.asarray(((local / size) ** 2).sum(axis=1) < 1.0)
    if kind == MESH:
        mesh = mesh_triangles(model, geom) if triangles is None else triangles
        return inside_mesh(mesh, local)
    return np.zeros(len(points), dtype=bool)


def inside_mesh(triangles: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Ray-parity test of ``points`` against a closed triangle mesh; two of three rays decide."""
    if len(points) == 0 or len(triangles) == 0:
        return np.zeros(len(points), dtype=bool)
    votes = np.zeros(len(points), dtype=np.int64)
    for frame in _RAY_FRAMES:
        votes += _odd_crossings(triangles @ frame, points @ frame)
    return np.asarray(votes >= 2)


def _odd_crossings(
    triangles: NDArray[np.float64], points: NDArray[np.float64]
) -> NDArray[np.int64]:
    """1 where the ray from a point along +x crosses an odd number of triangles."""
    low, high = points[:, 1:].min(axis=0), points[:, 1:].max(axis=0)
    tmin, tmax = triangles.min(axis=1), triangles.max(axis=1)
    keep = (
        (tmax[:, 0] >= points[:, 0].min())
        & (tmin[:, 1:] <= high).all(axis=1)
        & (tmax[:, 1:] >= low).all(axis=1)
    )
    triangles, tmin, tmax = triangles[keep], tmin[keep], tmax[keep]
    if len(triangles) == 0:
        return np.zeros(len(points), dtype=np.int64)
    span = np.maximum(high - low, 1e-12)

    def cell(yz: NDArray[np.float64]) -> NDArray[np.int64]:
        index: NDArray[np.int64] = np.clip(
            ((yz - low) / span * _GRID).astype(np.int64), 0, _GRID - 1
        )
        return index

    first, last = cell(tmin[:, 1:]), cell(tmax[:, 1:])
    rows, cols = last[:, 0] - first[:, 0] + 1, last[:, 1] - first[:, 1] + 1
    counts = rows * cols
    owner = np.repeat(np.arange(len(triangles)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = (
        (first[owner, 0] + offset // cols[owner]) * _GRID + first[owner, 1] + offset % cols[owner]
    )
    order = np.argsort(cells, kind="stable")
    binned, by_cell = owner[order], cells[order]
    starts = np.searchsorted(by_cell, np.arange(_GRID * _GRID))
    ends = np.searchsorted(by_cell, np.arange(_GRID * _GRID), side="right")

    point_cells = cell(points[:, 1:])
    point_cells = point_cells[:, 0] * _GRID + point_cells[:, 1]
    crossings = np.zeros(len(points), dtype=np.int64)
    per_point = ends[point_cells] - starts[point_cells]
    batch = max(1, _PAIRS_PER_BATCH // max(1, int(per_point.max())))
    for begin in range(0, len(points), batch):
        idx = np.arange(begin, min(begin + batch, len(points)))
        n = per_point[idx]
        which = np.repeat(idx, n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        tri = triangles[binned[np.repeat(starts[point_cells[idx]], n) + k]]
        hits = _ray_hits(tri, points[which])
        crossings += np.bincount(which[hits], minlength=len(points))
    odd: NDArray[np.int64] = crossings % 2
    return odd


def _ray_hits(tri: NDArray[np.float64], origins: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Möller-Trumbore for rays along +x: which (triangle, origin) pairs intersect ahead."""
    v0 = tri[:, 0]
    e1, e2 = tri[:, 1] - v0, tri[:, 2] - v0
    det = e1[:, 2] * e2[:, 1] - e1[:, 1] * e2[:, 2]
    ok = np.abs(det) > 1e-18
    safe = np.where(ok, det, 1.0)
    s = origins - v0
    u = (s[:, 2] * e2[:, 1] - s[:, 1] * e2[:, 2]) / safe
    q = np.cross(s, e1)
    v = q[:, 0] / safe
    t = np.einsum("ij,ij->i", e2, q) / safe
    return np.asarray(ok & (u >= 0) & (v >= 0) & (u + v < 1) & (t > 0))
