"""Ray casting against a mesh: the nearest triangle each ray hits (Moller-Trumbore, vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engineer.workbench.mesh import FloatArray, IntArray, Mesh

_PAIRS_PER_CHUNK = 300_000
"""Ray-triangle pairs tested at once: bounds the temporary arrays to a few tens of MB."""
_BARYCENTRIC_SLACK = 1e-9
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
    v0 = mesh.corners[:, 0]
    e1 = mesh.corners[:, 1] - v0
    e2 = mesh.corners[:, 2] - v0
    normals = mesh.normals
    chunk = max(1, _PAIRS_PER_CHUNK // max(1, len(v0)))
    for start in range(0, count, chunk):
        stop = min(count, start + chunk)
        d, tri = _nearest(
            origins[start:stop],
            directions[start:stop],
            v0,
            e1,
            e2,
            normals,
            min_distance,
            min_exit_cos,
        )
        distance[start:stop] = d
        face[start:stop] = tri
    return Hits(distance, face)


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
