"""One CAD run per session: every workbench test judges meshes from the real sandbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arena_core.cad import CadResult
from engineer.workbench import Mesh, read_stl


@pytest.fixture(scope="session")
def mesh(cad_parts: CadResult) -> Callable[[str], Mesh]:
    """The welded mesh of a test part, by name."""
    meshes = {part.name: read_stl(part.mesh_stl) for part in cad_parts.parts}
    return meshes.__getitem__
