"""Real meshes to draw: the workbench's test parts, built once per session in the sandbox."""

from __future__ import annotations

import pytest

from arena_core.cad import CadResult
from engineer.workbench import Mesh, read_stl


@pytest.fixture(scope="session")
def pocket(cad_parts: CadResult) -> Mesh:
    """A block with a filleted pocket in its top face (924 triangles)."""
    return read_stl(cad_parts.part("filleted_pocket").mesh_stl)


@pytest.fixture(scope="session")
def bar(cad_parts: CadResult) -> Mesh:
    """A 300 x 20 x 20 mm bar along x."""
    return read_stl(cad_parts.part("long_bar").mesh_stl)
