"""One CAD run per session: every workbench test judges meshes from the real sandbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arena_core.cad import CadResult
from engineer.workbench import Mesh, load_mesh
from tests.engineer.workbench.cad_parts import build_test_parts


@pytest.fixture(scope="session")
def cad_parts(tmp_path_factory: pytest.TempPathFactory) -> CadResult:
    """The test parts of ``cad_parts.CAD_SCRIPT``, measured and meshed by the sandbox."""
    return build_test_parts(tmp_path_factory.mktemp("workbench-cad"))


@pytest.fixture(scope="session")
def mesh(cad_parts: CadResult) -> Callable[[str], Mesh]:
    """The welded mesh of a test part, by name."""
    meshes = {part.name: load_mesh(part.mesh_path) for part in cad_parts.parts}
    return meshes.__getitem__
