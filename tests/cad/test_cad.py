"""The CAD contract: real build123d scripts measured, meshed or rejected with a reason."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest

from arena_core.cad import RejectReason, run_cad
from arena_core.sandbox import Sandbox, SandboxLimits

pytestmark = pytest.mark.asyncio(loop_scope="module")

HEADER = "from build123d import *\nfrom arena_cad import Part\n"


def script(body: str) -> str:
    return HEADER + body


async def test_box_volume_mass_bbox_and_centre_match_the_analytic_values(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n"
        "    plate = Pos(0.5, 0, 0) * Box(0.2, 0.1, 0.02)\n"
        "    return [Part('plate', plate, role='static', density=2700.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert result.ok, result.rejections
    plate = result.part("plate")
    assert plate.volume_m3 == pytest.approx(0.2 * 0.1 * 0.02, rel=1e-9)
    assert plate.mass_kg == pytest.approx(0.2 * 0.1 * 0.02 * 2700.0, rel=1e-9)
    assert plate.bbox_min_m == pytest.approx((0.4, -0.05, -0.01), abs=1e-9)
    assert plate.bbox_max_m == pytest.approx((0.6, 0.05, 0.01), abs=1e-9)
    assert plate.centre_of_mass_m == pytest.approx((0.5, 0.0, 0.0), abs=1e-9)
    ixx = plate.mass_kg * (0.1**2 + 0.02**2) / 12
    assert plate.inertia_kg_m2[0] == pytest.approx(ixx, rel=1e-9)


async def test_cylinder_volume_matches_pi_r_squared_h_and_its_mesh_is_a_binary_stl(
    sandbox: Sandbox,
) -> None:
    code = script(
        "def build():\n"
        "    return [Part('peg', Cylinder(0.01, 0.06), role='dynamic', density=1240.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox, tolerance_m=1e-5)

    peg = result.part("peg")
    assert peg.volume_m3 == pytest.approx(math.pi * 0.01**2 * 0.06, rel=1e-9)
    mesh = peg.mesh_stl
    assert hashlib.sha256(mesh).hexdigest() == peg.mesh_sha256
    assert len(mesh) == 84 + 50 * peg.triangles == peg.mesh_bytes


async def test_a_finer_tolerance_gives_a_finer_mesh(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n    return [Part('rod', Cylinder(0.05, 0.1), role='static', density=1.0)]\n"
    )
    coarse = await run_cad(code, sandbox=sandbox, tolerance_m=1e-3, angular_tolerance_rad=1.0)
    fine = await run_cad(code, sandbox=sandbox, tolerance_m=1e-5, angular_tolerance_rad=0.05)

    assert fine.part("rod").triangles > coarse.part("rod").triangles


async def test_a_part_with_zero_volume_is_rejected_as_empty(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n"
        "    gone = Box(0.1, 0.1, 0.1) - Box(0.2, 0.2, 0.2)\n"
        "    return [Part('gone', gone, role='static', density=1000.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert result.reasons() == {RejectReason.empty}
    assert result.parts == []


async def test_a_face_is_rejected_as_empty(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n"
        "    return [Part('sheet', Face.make_rect(0.1, 0.1), role='static', density=1000.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert result.reasons() == {RejectReason.empty}


async def test_code_that_raises_is_rejected_with_its_traceback(sandbox: Sandbox) -> None:
    code = script("def build():\n    return [Part('a', Box(1, 1, 1) / 0, role='x', density=1)]\n")
    result = await run_cad(code, sandbox=sandbox)

    (rejection,) = result.rejections
    assert rejection.reason is RejectReason.code_error
    assert 'File "model.py", line 4, in build' in rejection.detail
    assert "TypeError" in rejection.detail


async def test_code_without_build_is_rejected(sandbox: Sandbox) -> None:
    result = await run_cad(script("PART = Box(1, 1, 1)\n"), sandbox=sandbox)

    assert result.reasons() == {RejectReason.no_build}


async def test_build_returning_no_parts_is_rejected(sandbox: Sandbox) -> None:
    result = await run_cad(script("def build():\n    return []\n"), sandbox=sandbox)

    assert result.reasons() == {RejectReason.no_parts}


async def test_an_open_shell_is_rejected_as_non_manifold(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n"
        "    open_box = Solid(Shell(Box(0.1, 0.1, 0.1).faces()[:-1]))\n"
        "    return [Part('open_box', open_box, role='static', density=1000.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert result.reasons() == {RejectReason.non_manifold}


async def test_solids_touching_along_an_edge_are_rejected_as_non_manifold(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n"
        "    pair = Box(0.1, 0.1, 0.1) + Pos(0.1, 0.1, 0) * Box(0.1, 0.1, 0.1)\n"
        "    return [Part('pair', pair, role='static', density=1000.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert result.reasons() == {RejectReason.non_manifold}


async def test_bad_names_and_densities_are_rejected_but_good_parts_are_measured(
    sandbox: Sandbox,
) -> None:
    code = script(
        "def build():\n"
        "    return [\n"
        "        Part('good', Box(0.1, 0.1, 0.1), role='static', density=1000.0),\n"
        "        Part('Bad Name', Box(0.1, 0.1, 0.1), role='static', density=1000.0),\n"
        "        Part('good', Box(0.1, 0.1, 0.1), role='static', density=1000.0),\n"
        "        Part('light', Box(0.1, 0.1, 0.1), role='static', density=-1.0),\n"
        "    ]\n"
    )
    result = await run_cad(code, sandbox=sandbox)

    assert [p.name for p in result.parts] == ["good"]
    assert [r.reason for r in result.rejections] == [
        RejectReason.invalid_name,
        RejectReason.duplicate_name,
        RejectReason.invalid_density,
    ]
    assert not result.ok


async def test_a_script_that_never_ends_is_rejected_as_timeout(sandbox: Sandbox) -> None:
    code = script("while True:\n    pass\n")
    result = await run_cad(code, sandbox=sandbox, limits=SandboxLimits(timeout_s=1))

    assert result.reasons() == {RejectReason.timeout}


async def test_a_script_that_exits_early_is_rejected(sandbox: Sandbox) -> None:
    code = script("import os\nos._exit(0)\n")
    result = await run_cad(code, sandbox=sandbox)

    assert result.reasons() == {RejectReason.crashed}


async def test_the_sandbox_workspace_is_removed_once_the_result_is_read(sandbox: Sandbox) -> None:
    code = script(
        "def build():\n    return [Part('cube', Box(0.1, 0.1, 0.1), role='static', density=1.0)]\n"
    )
    ok = await run_cad(code, sandbox=sandbox)
    failed = await run_cad(script("raise ValueError('no')\n"), sandbox=sandbox)

    assert ok.ok
    assert len(ok.part("cube").mesh_stl) == ok.part("cube").mesh_bytes
    assert not ok.workspace.exists()
    assert not failed.workspace.exists()
    assert list((sandbox.root / "jobs").iterdir()) == []


async def test_a_workspace_the_caller_chose_is_kept(sandbox: Sandbox, tmp_path: Path) -> None:
    code = script(
        "def build():\n    return [Part('cube', Box(0.1, 0.1, 0.1), role='static', density=1.0)]\n"
    )
    result = await run_cad(code, sandbox=sandbox, workspace=tmp_path / "keep")

    assert result.ok
    assert (tmp_path / "keep").is_dir()
