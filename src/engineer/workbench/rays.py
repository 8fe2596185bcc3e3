"""Ray casting against a mesh: the nearest triangle each ray hits (Moller-Trumbore, vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arena_core.cad.mesh import FloatArray, IntArray, Mesh

_PAIRS_PER_CHUNK = 300_000
"""Ray-triangle pairs tested at once: bounds the temporary arrays to a few tens of MB."""
_BARYCENTRIC_SLACK = 1e-9
_PARALLEL_GROUP = 16
"""Rays sharing a direction, at least this many, are culled by their shadow on a plane."""
_RAYS_PER_TILE = 32
"""Parallel rays tested together against the triangles near them."""
"""Hits on a shared edge count for both triangles, so no ray slips between them."""


@dataclass(frozen=True)
class Hits:
    """The nearest hit of each ray."""

    distance: FloatArray
    """Distance along the unit ray to the hit, ``inf`` where the ray hits nothing."""
    face: IntArray
    """Index of the triangle hit, ``-1`` where the ray hits nothing."""

    @property
    def hit(self) -> np.ndarray:
        """True where the ray hit a triangle."""
        return np.asarray(self.face >= 0)


def cast(
    mesh: Mesh,
    origins: FloatArray,
    directions: FloatArray,
    *,
    min_distance: float = 0.0,
    min_exit_cos: float | None = None,
) -> Hits:
    """Nearest hit farther than ``min_distance`` of each ray ``origins[i] + t * directions[i]``.

    ``directions`` must be unit vectors, so distances are in metres. With
    ``min_exit_cos``, only triangles the ray leaves the solid through count, and only
    those whose outward normal is within ``acos(min_exit_cos)`` of the ray.
    """
    count = len(origins)
    distance = np.full(count, np.inf)
    face = np.full(count, -1, dtype=np.int64)
    if count == 0:
        return Hits(distance, face)
    # Rays sharing a direction (from flat faces, or a pull direction) are culled in the
    # plane across it; the rest are tested against every triangle.
    keys, group = np.unique(np.round(directions, 9), axis=0, return_inverse=True)
    group = group.reshape(-1)
    sizes = np.bincount(group, minlength=len(keys))
    scattered = sizes[group] < _PARALLEL_GROUP
    for g in np.flatnonzero(sizes >= _PARALLEL_GROUP):
        rays = np.flatnonzero(group == g)
        _cast_parallel(mesh, origins, directions, rays, min_distance, min_exit_cos, distance, face)
    rays = np.flatnonzero(scattered)
    faces = np.arange(len(mesh.faces))
    chunk = max(1, _PAIRS_PER_CHUNK // len(faces))
    for start in range(0, len(rays), chunk):
        _cast_chunk(
            mesh,
            origins,
            directions,
            rays[start : start + chunk],
            faces,
            min_distance,
            min_exit_cos,
            distance,
            face,
        )
    return Hits(distance, face)


def _cast_parallel(
    mesh: Mesh,
    origins: FloatArray,
    directions: FloatArray,
    rays: IntArray,
    min_distance: float,
    min_exit_cos: float | None,
    distance: FloatArray,
    face: IntArray,
) -> None:
    """Parallel rays, in tiles of neighbours, against the triangles whose shadow meets the tile."""
    along = directions[rays[0]]
    helper = np.eye(3)[int(np.argmin(np.abs(along)))]
    across_a = np.cross(along, helper)
    across_a /= np.linalg.norm(across_a)
    basis = np.stack([across_a, np.cross(along, across_a)], axis=1)
    shadow = mesh.corners @ basis
    low, high = shadow.min(axis=1), shadow.max(axis=1)
    spot = origins[rays] @ basis
    tiles = max(1, int(np.ceil(np.sqrt(len(rays) / _RAYS_PER_TILE))))
    span = np.maximum(spot.max(axis=0) - spot.min(axis=0), 1e-12)
    cell = np.minimum(((spot - spot.min(axis=0)) / span * tiles).astype(np.int64), tiles - 1)
    tile_of = cell[:, 0] * tiles + cell[:, 1]
    slack = 1e-9 + 1e-9 * float(np.abs(shadow).max())
    for tile in np.unique(tile_of):
        members = np.flatnonzero(tile_of == tile)
        lo, hi = spot[members].min(axis=0) - slack, spot[members].max(axis=0) + slack
        near = np.flatnonzero(((high >= lo) & (low <= hi)).all(axis=1))
        if len(near):
            _cast_chunk(
                mesh,
                origins,
                directions,
                rays[members],
                near,
                min_distance,
                min_exit_cos,
                distance,
                face,
            )


def _cast_chunk(
    mesh: Mesh,
    origins: FloatArray,
    directions: FloatArray,
    rays: IntArray,
    faces: IntArray,
    min_distance: float,
    min_exit_cos: float | None,
    distance: FloatArray,
    face: IntArray,
) -> None:
    corners = mesh.corners[faces]
    v0 = corners[:, 0]
    nearest, index = _nearest(
        origins[rays],
        directions[rays],
        v0,
        corners[:, 1] - v0,
        corners[:, 2] - v0,
        mesh.normals[faces],
        min_distance,
        min_exit_cos,
    )
    distance[rays] = nearest
    face[rays] = np.where(index >= 0, faces[np.maximum(index, 0)], -1)


def _nearest(
    origins: FloatArray,
    directions: FloatArray,
    v0: FloatArray,
    e1: FloatArray,
    e2: FloatArray,
    normals: FloatArray,
    min_distance: float,
    min_exit_cos: float | None,
) -> tuple[FloatArray, IntArray]:
    d = directions[:, None, :]
    p = np.cross(d, e2[None, :, :])
    det = np.einsum("fk,rfk->rf", e1, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / det
        offset = origins[:, None, :] - v0[None, :, :]
        u = np.einsum("rfk,rfk->rf", offset, p) * inv
        q = np.cross(offset, e1[None, :, :])
        v = np.einsum("rk,rfk->rf", directions, q) * inv
        t = np.einsum("fk,rfk->rf", e2, q) * inv
        valid = (
            (np.abs(det) > 1e-18)
            & (u >= -_BARYCENTRIC_SLACK)
            & (v >= -_BARYCENTRIC_SLACK)
            & (u + v <= 1.0 + _BARYCENTRIC_SLACK)
            & (t > min_distance)
        )
    if min_exit_cos is not None:
        valid &= np.einsum("rk,fk->rf", directions, normals) > min_exit_cos
    t = np.where(valid, t, np.inf)
    nearest = np.argmin(t, axis=1)
    best = t[np.arange(len(t)), nearest]
    found = np.isfinite(best)
    return best, np.where(found, nearest, -1).astype(np.int64)
