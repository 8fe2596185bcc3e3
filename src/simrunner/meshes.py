"""The meshes of a scene: STL files by content hash (reading them is ``arena_core.cad.mesh``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from arena_core.cad.mesh import Mesh, MeshError, is_binary_stl, read_stl
from arena_core.events.sim import MeshBlob

__all__ = ["Mesh", "MeshError", "MeshLibrary", "box_stl"]


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

    def mesh(self, sha256: str, scale: float = 1.0) -> Mesh:
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
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.file_name(sha256)
        path.write_bytes(data if is_binary_stl(data) else mesh.to_binary_stl())
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
    return Mesh(np.array([[v[a], v[b], v[c]] for a, b, c in faces])).to_binary_stl()
