"""Measurements on a mesh that manufacturing rules are judged by.

Each function measures one property over the whole mesh and returns plain numbers
and the triangles or surface points concerned; ``checks`` turns them into violations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from arena_core.cad.mesh import FloatArray, IntArray, Mesh
from engineer.workbench.rays import cast

SURFACE_SAMPLES = 768
"""Area-weighted random surface points per measurement (fixed seed: deterministic)."""
CENTROID_SAMPLES = 512
"""Most triangle centroids sampled besides, so small features are not missed."""
WALL_OPPOSITION_DEG = 60.0
"""A wall's far side is a face within this of facing opposite the near side.

Rays from near a corner that leave through the neighbouring face (meeting at about
90 degrees) measure the distance to the corner, not a wall.
"""
SHARP_TURN_RAD = 0.35
"""A crease turning more than this (20 degrees) is a sharp corner, not a tessellated curve.

The CAD harness tessellates curves with at most 0.1 rad between facets by default.
"""


@dataclass(frozen=True)
class SurfaceSamples:
    """Points on the surface with the triangle each lies on."""

    points: FloatArray
    """``(n, 3)`` sample points."""
    faces: IntArray
    """Triangle of each point."""
    random_count: int
    """The first ``random_count`` points are area-weighted random; the rest are centroids."""


def sample_surface(mesh: Mesh, *, seed: int = 0) -> SurfaceSamples:
    """Area-weighted random points, then centroids of (up to) every triangle."""
    rng = np.random.default_rng(seed)
    weights = mesh.areas / mesh.areas.sum()
    faces = rng.choice(len(mesh.faces), size=SURFACE_SAMPLES, p=weights)
    u, v = rng.random(SURFACE_SAMPLES), rng.random(SURFACE_SAMPLES)
    outside = u + v > 1
    u[outside], v[outside] = 1 - u[outside], 1 - v[outside]
    c = mesh.corners[faces]
    random_points = c[:, 0] + u[:, None] * (c[:, 1] - c[:, 0]) + v[:, None] * (c[:, 2] - c[:, 0])
    every = np.arange(len(mesh.faces))
    if len(every) > CENTROID_SAMPLES:
        # The largest triangles already get random points; keep the smallest features.
        every = np.sort(np.argsort(mesh.areas, kind="stable")[:CENTROID_SAMPLES])
    points = np.concatenate([random_points, mesh.centroids[every]])
    return SurfaceSamples(points, np.concatenate([faces, every]), SURFACE_SAMPLES)


def _offset(mesh: Mesh) -> float:
    """A distance far below any feature but above rounding error, scaled to the part."""
    return 1e-7 * max(1.0, float(mesh.extents.max()) / 0.1)


@dataclass(frozen=True)
class WallThickness:
    """Local wall thickness at surface samples, measured along the inward normal."""

    samples: SurfaceSamples
    """Where it was measured."""
    thickness: FloatArray
    """Distance to the opposite surface at each sample (``inf`` where no exit was found)."""

    def random_thickness(self) -> FloatArray:
        """Thickness at the area-weighted random samples only (unbiased area statistics)."""
        return self.thickness[: self.samples.random_count]


def wall_thickness(mesh: Mesh, *, seed: int = 0) -> WallThickness:
    """Cast a ray inward from each sample; where it leaves the solid is the wall's other side."""
    samples = sample_surface(mesh, seed=seed)
    inward = -mesh.normals[samples.faces]
    hits = cast(
        mesh,
        samples.points,
        inward,
        min_distance=_offset(mesh),
        min_exit_cos=math.cos(math.radians(WALL_OPPOSITION_DEG)),
    )
    return WallThickness(samples, hits.distance)


def downward_angle_deg(mesh: Mesh, up: tuple[float, float, float]) -> FloatArray:
    """Per triangle, how far past vertical it faces down, in degrees (0 = vertical or up)."""
    down = -(mesh.normals @ np.asarray(up))
    return np.asarray(np.degrees(np.arcsin(np.clip(down, 0.0, 1.0))))


def resting_faces(mesh: Mesh, up: tuple[float, float, float]) -> np.ndarray:
    """Triangles lying flat on the lowest plane along ``up`` (on the bed, needing no support)."""
    heights = mesh.vertices @ np.asarray(up)
    tolerance = _offset(mesh) * 10
    low = heights.min()
    on_plane = (heights[mesh.faces] <= low + tolerance).all(axis=1)
    facing_down = (mesh.normals @ np.asarray(up)) < -math.cos(math.radians(1.0))
    return np.asarray(on_plane & facing_down)


def draft_angle_deg(mesh: Mesh, pull: tuple[float, float, float]) -> FloatArray:
    """Per triangle, its taper from the pull direction in degrees (0 = parallel to the pull)."""
    along = np.abs(mesh.normals @ np.asarray(pull))
    return np.asarray(np.degrees(np.arcsin(np.clip(along, 0.0, 1.0))))


@dataclass(frozen=True)
class Occlusion:
    """Surface samples that cannot see out along the pull, the way they face."""

    samples: SurfaceSamples
    """Samples tested."""
    hidden: np.ndarray
    """True where the part itself blocks the sample's way out."""


def occlusion(mesh: Mesh, pull: tuple[float, float, float], *, seed: int = 0) -> Occlusion:
    """For each sample on a face not parallel to ``pull``, is the part in its way out?

    A face turned towards ``+pull`` leaves with that mould half (or is cut from that
    side); one turned away leaves towards ``-pull``. A ray from the face that hits the
    part again means that half cannot be drawn off: an undercut.
    """
    samples = sample_surface(mesh, seed=seed)
    axis = np.asarray(pull)
    along = mesh.normals[samples.faces] @ axis
    tested = np.abs(along) > math.sin(math.radians(0.5))
    directions = np.where(along[:, None] >= 0, axis, -axis)
    normals = mesh.normals[samples.faces]
    origins = samples.points + normals * _offset(mesh)
    hidden = np.zeros(len(samples.points), dtype=bool)
    index = np.flatnonzero(tested)
    hits = cast(mesh, origins[index], directions[index], min_distance=_offset(mesh))
    hidden[index] = hits.hit
    return Occlusion(samples, hidden)


@dataclass(frozen=True)
class Creases:
    """Concave edges along an axis and the radius of the corner each belongs to."""

    edges: IntArray
    """``(c, 2)`` vertex pairs of the concave edges."""
    radius: FloatArray
    """Corner radius at each edge, m (0 for a sharp corner)."""


def concave_creases(
    mesh: Mesh, axis: tuple[float, float, float], *, within_deg: float = 15.0
) -> Creases:
    """Concave edges running along ``axis`` with the radius of the curve they tessellate.

    A crease turning more than ``SHARP_TURN_RAD`` is a sharp corner (radius 0). A
    gentler one is a facet boundary of a fillet or bore: a chord of width ``w``
    turning by ``theta`` lies on a circle of radius ``w / (2 sin(theta / 2))``.
    """
    edges, pair = mesh.edges, mesh.edge_faces
    a, b = pair[:, 0], pair[:, 1]
    na, nb = mesh.normals[a], mesh.normals[b]
    turn = np.arccos(np.clip(np.einsum("ij,ij->i", na, nb), -1.0, 1.0))
    start = mesh.vertices[edges[:, 0]]
    direction = mesh.vertices[edges[:, 1]] - start
    length = np.linalg.norm(direction, axis=1)
    # The neighbour's far corner lies on the outer side of this face's plane: concave.
    far_b = _far_corner(mesh, b, edges)
    rises = np.einsum("ij,ij->i", na, far_b - start) > _offset(mesh)
    along = np.abs(direction @ np.asarray(axis)) >= length * math.cos(math.radians(within_deg))
    keep = rises & along & (turn > 1e-3) & (length > 0)
    heights = np.minimum(
        _height(mesh, a[keep], edges[keep], length[keep]),
        _height(mesh, b[keep], edges[keep], length[keep]),
    )
    turn = turn[keep]
    radius = np.where(turn > SHARP_TURN_RAD, 0.0, heights / (2.0 * np.sin(turn / 2.0)))
    return Creases(edges[keep], radius)


def _far_corner(mesh: Mesh, faces: IntArray, edges: IntArray) -> FloatArray:
    """The corner of each triangle that is not on the given edge."""
    corners = mesh.faces[faces]
    on_edge = (corners == edges[:, :1]) | (corners == edges[:, 1:])
    far = corners[~on_edge]
    return np.asarray(mesh.vertices[far])


def _height(mesh: Mesh, faces: IntArray, edges: IntArray, length: FloatArray) -> FloatArray:
    """Each triangle's height over the given edge (its width across the crease)."""
    return np.asarray(2.0 * mesh.areas[faces] / length)


def clusters(starts: FloatArray, ends: FloatArray, link: float) -> list[IntArray]:
    """Segments grouped so that segments closer than ``link`` share a group.

    Closeness is judged between midpoints, allowing for half of each segment's
    length, so the parallel facet edges of one fillet fall into one group.
    """
    mids = (starts + ends) / 2.0
    reach = np.linalg.norm(ends - starts, axis=1) / 2.0
    parent = list(range(len(mids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(mids)):
        gap = np.linalg.norm(mids[i + 1 :] - mids[i], axis=1) - reach[i + 1 :] - reach[i]
        for j in np.flatnonzero(gap <= link) + i + 1:
            ri, rj = root(i), root(int(j))
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(len(mids)):
        groups.setdefault(root(i), []).append(i)
    return [np.asarray(g, dtype=np.int64) for g in groups.values()]
