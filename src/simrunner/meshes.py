"""STL meshes: reading, writing, volume, bounds and a content-addressed library."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from arena_core.errors import ArenaError
from arena_core.events.sim import MeshBlob

MAX_TRIANGLES = 200_000
"""Largest mesh accepted (MuJoCo's compile time grows with it)."""


class MeshError(ArenaError, ValueError):
    """A mesh file that cannot be used (unreadable, empty, too large, missing)."""


@dataclass(frozen=True)
class TriangleMesh:
    """Triangles as an ``(n, 3, 3)`` array of vertex coordinates (metres)."""

    triangles: NDArray[np.float64]

    def scaled(self, scale: float) -> TriangleMesh:
        return TriangleMesh(self.triangles * scale)

    def volume(self) -> float:
        """Enclosed volume (divergence theorem; exact for a closed, consistently wound mesh)."""
        a, b, c = self.triangles[:, 0], self.triangles[:, 1], self.triangles[:, 2]
        return float(abs(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0)

    def bounds(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        points = self.triangles.reshape(-1, 3)
        return points.min(axis=0), points.max(axis=0)

    def to_binary_stl(self) -> bytes:
        tris = self.triangles.astype(np.float32)
        normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        records = np.zeros(len(tris), dtype=_STL_RECORD)
        records["normal"] = normals
        records["vertices"] = tris
        return b"\0" * 80 + struct.pack("<I", len(tris)) + records.tobytes()


_STL_RECORD = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attr", "<u2")])


def read_stl(data: bytes) -> TriangleMesh:
    """Parse binary or ASCII STL; ``MeshError`` when it is neither or holds no triangles."""
    if len(data) >= 84:
        (count,) = struct.unpack_from("<I", data, 80)
        if 84 + count * 50 == len(data):
            if count > MAX_TRIANGLES:
                raise MeshError(f"{count} triangles > {MAX_TRIANGLES}")
            records = np.frombuffer(data, dtype=_STL_RECORD, count=count, offset=84)
            return _checked(records["vertices"].astype(np.float64))
    if data.lstrip()[:5].lower() == b"solid":
        return _checked(_read_ascii(data))
    raise MeshError("not an STL file (neither binary nor ASCII)")


def _read_ascii(data: bytes) -> NDArray[np.float64]:
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
    if len(coords) // 9 > MAX_TRIANGLES:
        raise MeshError(f"{len(coords) // 9} triangles > {MAX_TRIANGLES}")
    return np.asarray(coords, dtype=np.float64).reshape(-1, 3, 3)


def _checked(triangles: NDArray[np.float64]) -> TriangleMesh:
    if len(triangles) == 0:
        raise MeshError("STL holds no triangles")
    if not np.isfinite(triangles).all():
        raise MeshError("STL has non-finite vertex coordinates")
    return TriangleMesh(triangles)


class MeshLibrary:
    """STL files by SHA-256: what specs and solutions refer to, and what MJCF files name."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def add(self, data: bytes) -> str:
        """Store ``data`` and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        self._data[digest] = data
        return digest

    def add_file(self, path: Path) -> str:
        return self.add(path.read_bytes())

    @classmethod
    def from_blobs(cls, blobs: Iterable[MeshBlob]) -> MeshLibrary:
        """A library of inline blobs; ``ValueError`` when one is corrupt."""
        library = cls()
        for blob in blobs:
            library.add(blob.data())
        return library

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._data

    def hashes(self) -> set[str]:
        return set(self._data)

    def get(self, sha256: str) -> bytes:
        try:
            return self._data[sha256]
        except KeyError:
            raise MeshError(f"no mesh with sha256 {sha256[:12]}...") from None

    def mesh(self, sha256: str, scale: float = 1.0) -> TriangleMesh:
        return read_stl(self.get(sha256)).scaled(scale)

    def blobs(self) -> tuple[MeshBlob, ...]:
        return tuple(MeshBlob.of(self._data[k]) for k in sorted(self._data))

    @staticmethod
    def file_name(sha256: str) -> str:
        """Name of the mesh file in an emitted scene folder."""
        return f"{sha256}.stl"

    def write(self, sha256: str, folder: Path) -> Path:
        """Write the mesh as binary STL (the format MuJoCo reads) into ``folder``."""
        data = self.get(sha256)
        mesh = read_stl(data)
        is_binary = len(data) >= 84 and 84 + struct.unpack_from("<I", data, 80)[0] * 50 == len(data)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.file_name(sha256)
        path.write_bytes(data if is_binary else mesh.to_binary_stl())
        return path


def box_stl(
    half: tuple[float, float, float], center: tuple[float, float, float] = (0, 0, 0)
) -> bytes:
    """A closed, outward-wound box as binary STL (for tests and examples)."""
    hx, hy, hz = half
    cx, cy, cz = center
    v = np.array(
        [
            [cx + sx * hx, cy + sy * hy, cz + sz * hz]
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]
    )
    faces = [
        (0, 1, 3),
        (0, 3, 2),
        (4, 6, 7),
        (4, 7, 5),  # -x, +x
        (0, 4, 5),
        (0, 5, 1),
        (2, 3, 7),
        (2, 7, 6),  # -y, +y
        (0, 2, 6),
        (0, 6, 4),
        (1, 5, 7),
        (1, 7, 3),  # -z, +z
    ]
    return TriangleMesh(np.array([[v[a], v[b], v[c]] for a, b, c in faces])).to_binary_stl()
