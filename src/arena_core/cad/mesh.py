"""Triangle meshes read from STL: the one mesh type of the engineer and the simulator.

``read_stl`` parses binary STL (what the CAD harness writes) and ASCII STL. Volume,
bounds and centre of volume come straight from the triangles; the welded view
(``vertices``, ``faces``, edges, normals) that the engineer's checks use is computed
on first use. Vertices are welded by exact coordinate equality: the harness
tessellates each B-rep edge once and shares its nodes between the faces on either
side, so shared vertices are bit-identical and no distance tolerance is needed.
numpy only.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from arena_core.errors import ArenaError

MAX_TRIANGLES = 200_000
"""Largest mesh accepted (analysis and MuJoCo's compile time grow with it)."""

STL_RECORD = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attr", "<u2")])
"""One triangle of a binary STL."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class MeshError(ArenaError, ValueError):
    """A mesh that cannot be used (unreadable, not STL, empty, too large, non-finite)."""


@dataclass(frozen=True, eq=False)
class Mesh:
    """Triangles in metres, outward normals by counter-clockwise winding."""

    triangles: FloatArray
    """``(f, 3, 3)`` corner coordinates of each triangle, as read."""

    @classmethod
    def from_triangles(cls, triangles: NDArray[np.floating]) -> Mesh:
        """A mesh of an ``(f, 3, 3)`` triangle soup (``MeshError`` if empty or non-finite)."""
        if triangles.ndim != 3 or triangles.shape[1:] != (3, 3) or len(triangles) == 0:
            raise MeshError("a mesh needs at least one triangle of three 3-D vertices")
        if not np.isfinite(triangles).all():
            raise MeshError("the mesh has non-finite coordinates")
        return cls(np.asarray(triangles, dtype=np.float64))

    def scaled(self, scale: float) -> Mesh:
        return self if scale == 1.0 else Mesh(self.triangles * scale)

    # -- from the triangles -------------------------------------------------------------

    @cached_property
    def _signed_tetra_volumes(self) -> FloatArray:
        t = self.triangles
        return np.asarray(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])) / 6.0)

    @property
    def volume(self) -> float:
        """Enclosed volume, m^3 (divergence theorem; exact for a closed, consistently
        wound mesh)."""
        return abs(float(self._signed_tetra_volumes.sum()))

    @property
    def centre_of_volume(self) -> tuple[float, float, float]:
        """Centroid of the enclosed volume (the centre of mass at uniform density)."""
        weights = self._signed_tetra_volumes
        total = weights.sum()
        if total == 0:
            centre = self.triangles.reshape(-1, 3).mean(axis=0)
        else:
            # Each tetrahedron (origin, a, b, c) has its centroid at (a + b + c) / 4.
            centre = (weights[:, None] * self.triangles.sum(axis=1)).sum(axis=0) / (4.0 * total)
        return (float(centre[0]), float(centre[1]), float(centre[2]))

    @property
    def bounds(self) -> tuple[FloatArray, FloatArray]:
        """Lower and upper corners of the axis-aligned bounding box."""
        points = self.triangles.reshape(-1, 3)
        return points.min(axis=0), points.max(axis=0)

    @property
    def extents(self) -> FloatArray:
        """Bounding-box size along x, y, z."""
        low, high = self.bounds
        return np.asarray(high - low)

    def to_binary_stl(self) -> bytes:
        tris = self.triangles.astype(np.float32)
        records = np.zeros(len(tris), dtype=STL_RECORD)
        records["normal"] = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        records["vertices"] = tris
        return b"\0" * 80 + struct.pack("<I", len(tris)) + records.tobytes()

    # -- welded ---------------------------------------------------------------------------

    @cached_property
    def _welded(self) -> tuple[FloatArray, IntArray]:
        # Adding zero turns -0.0 into 0.0, so both spellings of a coordinate weld together.
        soup = self.triangles.reshape(-1, 3) + 0.0
        points, inverse = np.unique(soup, axis=0, return_inverse=True)
        faces = inverse.reshape(-1, 3).astype(np.int64)
        a, b, c = faces[:, 0], faces[:, 1], faces[:, 2]
        degenerate = (a == b) | (b == c) | (a == c)
        return points.astype(np.float64), faces[~degenerate]

    @property
    def vertices(self) -> FloatArray:
        """``(v, 3)`` welded vertex coordinates."""
        return self._welded[0]

    @property
    def faces(self) -> IntArray:
        """``(f, 3)`` vertex indices of each non-degenerate triangle."""
        return self._welded[1]

    @cached_property
    def corners(self) -> FloatArray:
        """``(f, 3, 3)`` coordinates of each welded triangle's corners."""
        return self.vertices[self.faces]

    @cached_property
    def _cross(self) -> FloatArray:
        c = self.corners
        return np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])

    @cached_property
    def areas(self) -> FloatArray:
        """Area of each triangle, m^2."""
        return np.asarray(np.linalg.norm(self._cross, axis=1) / 2.0)

    @cached_property
    def normals(self) -> FloatArray:
        """Unit outward normal of each triangle (zero for a zero-area sliver)."""
        length = np.linalg.norm(self._cross, axis=1, keepdims=True)
        unit = np.divide(self._cross, length, out=np.zeros_like(self._cross), where=length > 0)
        return np.asarray(unit, dtype=np.float64)

    @cached_property
    def centroids(self) -> FloatArray:
        """Centroid of each triangle."""
        return np.asarray(self.corners.mean(axis=1))

    @property
    def surface_area(self) -> float:
        """Total surface area, m^2."""
        return float(self.areas.sum())

    @cached_property
    def edges(self) -> IntArray:
        """``(e, 2)`` vertex pairs of the interior edges shared by exactly two triangles."""
        return self._edge_faces[0]

    @cached_property
    def edge_faces(self) -> IntArray:
        """``(e, 2)`` the two triangles on either side of each edge of ``edges``."""
        return self._edge_faces[1]

    @cached_property
    def _edge_faces(self) -> tuple[IntArray, IntArray]:
        pairs = np.sort(self.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
        owners = np.repeat(np.arange(len(self.faces)), 3)
        unique, inverse, counts = np.unique(pairs, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        shared = counts == 2
        # Edges used by other than two triangles (open or non-manifold) have no dihedral angle.
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[shared]
        faces = np.stack([owners[order[starts]], owners[order[starts + 1]]], axis=1)
        return unique[shared].astype(np.int64), faces.astype(np.int64)


def is_binary_stl(data: bytes) -> bool:
    """Whether ``data`` has the exact size its binary STL header announces."""
    return len(data) >= 84 and 84 + 50 * struct.unpack_from("<I", data, 80)[0] == len(data)


def read_stl(data: bytes) -> Mesh:
    """Parse a binary or ASCII STL (``MeshError`` when it is neither, or is empty)."""
    if is_binary_stl(data):
        (count,) = struct.unpack_from("<I", data, 80)
        if count == 0:
            raise MeshError("the STL holds no triangles")
        if count > MAX_TRIANGLES:
            raise MeshError(f"{count} triangles exceeds the limit of {MAX_TRIANGLES}")
        records = np.frombuffer(data, dtype=STL_RECORD, count=count, offset=84)
        return Mesh.from_triangles(records["vertices"])
    if data.lstrip()[:5].lower() == b"solid":
        return Mesh.from_triangles(_ascii_triangles(data))
    if len(data) < 84:
        raise MeshError(f"{len(data)} bytes is too short for a binary STL")
    (count,) = struct.unpack_from("<I", data, 80)
    raise MeshError(f"not a binary STL: header says {count} triangles, size is {len(data)}")


def _ascii_triangles(data: bytes) -> FloatArray:
    coords: list[float] = []
    for line in data.decode("ascii", errors="replace").splitlines():
        words = line.split()
        if words and words[0] == "vertex":
            try:
                coords.extend(float(w) for w in words[1:4])
            except ValueError:
                raise MeshError(f"bad vertex line: {line.strip()[:80]}") from None
    if len(coords) % 9:
        raise MeshError("ASCII STL with an incomplete facet")
    if not coords:
        raise MeshError("the STL holds no triangles")
    if len(coords) // 9 > MAX_TRIANGLES:
        raise MeshError(f"{len(coords) // 9} triangles exceeds the limit of {MAX_TRIANGLES}")
    return np.asarray(coords, dtype=np.float64).reshape(-1, 3, 3)


def load_mesh(path: Path) -> Mesh:
    """Read the STL at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MeshError(f"cannot read mesh {path}: {error.strerror or error}") from None
    return read_stl(data)
