"""Reading the harness's STL files, and refusing what is not one."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from engineer.workbench import Mesh, MeshError, load_mesh, read_stl


def test_shared_vertices_are_welded_so_every_edge_has_two_faces(
    mesh: Callable[[str], Mesh],
) -> None:
    cup = mesh("thick_cup")

    assert len(cup.edges) * 2 == len(cup.faces) * 3


def test_a_truncated_stl_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.stl"
    path.write_bytes(b"\0" * 80 + struct.pack("<I", 2) + b"\0" * 50)

    with pytest.raises(MeshError, match="not a binary STL"):
        load_mesh(path)


def test_an_stl_without_triangles_is_refused() -> None:
    with pytest.raises(MeshError, match="no triangles"):
        read_stl(b"\0" * 80 + struct.pack("<I", 0))


def test_a_missing_file_is_a_mesh_error(tmp_path: Path) -> None:
    with pytest.raises(MeshError, match="cannot read"):
        load_mesh(tmp_path / "absent.stl")


def test_non_finite_coordinates_are_refused() -> None:
    with pytest.raises(MeshError, match="non-finite"):
        Mesh.from_triangles(np.full((1, 3, 3), np.nan))
