"""Validation stays inside its wall limit, and what it finds before the limit counts."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from arena_core.cad.mesh import Mesh
from arena_core.cli.main import app, build_app
from arena_core.events.sim import ValidationFailureKind as Kind
from simrunner.limits import Limits
from simrunner.solids import inside_mesh
from simrunner.validate import validate

runner = CliRunner()
build_app()


def sphere_stl(radius: float, rings: int, segments: int) -> bytes:
    """A closed, outward-wound UV sphere with ``2 * segments * (rings - 1)`` triangles."""
    theta = np.linspace(0, math.pi, rings + 1)
    phi = np.linspace(0, 2 * math.pi, segments + 1)
    grid = np.stack(
        [
            radius * np.sin(theta)[:, None] * np.cos(phi)[None, :],
            radius * np.sin(theta)[:, None] * np.sin(phi)[None, :],
            radius * np.cos(theta)[:, None] * np.ones_like(phi)[None, :],
        ],
        axis=-1,
    )
    triangles = []
    for i in range(rings):
        for j in range(segments):
            a, b = grid[i, j], grid[i, j + 1]
            c, d = grid[i + 1, j], grid[i + 1, j + 1]
            if i > 0:
                triangles.append([a, c, b])
            if i < rings - 1:
                triangles.append([b, c, d])
    return Mesh(np.array(triangles)).to_binary_stl()


def two_spheres(folder: Path, gap: float, rings: int = 90, segments: int = 100) -> Path:
    (folder / "ball.stl").write_bytes(sphere_stl(0.1, rings, segments))
    text = (
        '<mujoco><asset><mesh name="ball" file="ball.stl"/></asset><worldbody>'
        '<geom name="floor" type="plane" size="0 0 0.05"/>'
        '<body name="a" pos="0 0 1"><freejoint/><geom name="a" type="mesh" mesh="ball"/></body>'
        f'<body name="b" pos="{gap} 0 1"><freejoint/><geom name="b" type="mesh" mesh="ball"/>'
        "</body></worldbody></mujoco>"
    )
    path = folder / "spheres.xml"
    path.write_text(text)
    return path


def test_the_mesh_inside_test_agrees_with_a_sphere() -> None:
    from arena_core.cad.mesh import read_stl

    mesh = read_stl(sphere_stl(1.0, 40, 48)).triangles
    points = np.random.default_rng(7).uniform(-1.2, 1.2, size=(5000, 3))
    radius = np.linalg.norm(points, axis=1)
    clear = np.abs(radius - 1.0) > 0.02  # away from the faceted surface

    found = inside_mesh(mesh, points)

    assert (found[clear] == (radius[clear] < 1.0)).all()


def test_overlapping_large_meshes_report_the_lens_volume(tmp_path: Path) -> None:
    # Two 17,800-triangle spheres of radius r whose centres are d apart.
    r, d = 0.1, 0.1
    report = validate(two_spheres(tmp_path, d))

    lens = math.pi * (4 * r + d) * (2 * r - d) ** 2 / 12
    volumes = [f.volume_m3 for f in report.failures if f.volume_m3 is not None]
    assert volumes == [pytest.approx(lens, rel=0.15)]


def test_the_mesh_overlap_check_stops_at_the_wall_limit(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), wall_limit_s=0.0)
    report = validate(two_spheres(tmp_path, 0.1), limits)

    messages = [f.message for f in report.failures if f.kind == Kind.resource_limit]
    assert len(messages) == 1 and messages[0].startswith("mesh overlap check exceeded")
    assert report.frames_checked == 0


def test_cli_exits_one_when_failures_were_found_before_the_limit(tmp_path: Path) -> None:
    path = two_spheres(tmp_path, 0.1)
    path.write_text(
        path.read_text().replace(
            "</worldbody>",
            '<body pos="2 0 0"><freejoint/><geom type="box" size=".1 .1 .1"/></body></worldbody>',
        )
    )
    result = runner.invoke(
        app, ["validate", str(path), "--json"], env={"ARENA_SIM_WALL_LIMIT_S": "1e-9"}
    )

    kinds = {f["kind"] for f in json.loads(result.output)["failures"]}
    assert kinds == {"interpenetration", "resource_limit"}
    assert result.exit_code == 1


KEYED = """
<mujoco>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.05"/>
    <body name="crate" pos="0 0 0.1"><freejoint/><geom type="box" size=".1 .1 .1"/></body>
  </worldbody>
  <keyframe><key name="sunk" qpos="0 0 0.02 1 0 0 0"/></keyframe>
</mujoco>
"""


def test_overlap_is_judged_at_qpos0_unless_a_keyframe_is_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "keyed.xml"
    path.write_text(KEYED)

    assert validate(path).valid
    assert validate(path, keyframe="sunk").kinds() == {Kind.interpenetration}
    assert validate(path, keyframe="0").kinds() == {Kind.interpenetration}
    assert validate(path, keyframe="nope").kinds() == {Kind.compile}


def test_cli_takes_a_keyframe(tmp_path: Path) -> None:
    path = tmp_path / "keyed.xml"
    path.write_text(KEYED)

    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(path), "--keyframe", "sunk"]).exit_code == 1


@pytest.mark.parametrize("friction", ["1", "1 0.005", "1 0.005 0.0001"])
def test_friction_takes_one_to_three_numbers(tmp_path: Path, friction: str) -> None:
    path = tmp_path / "f.xml"
    path.write_text(
        "<mujoco><worldbody>"
        f'<geom name="floor" type="plane" size="0 0 0.05" friction="{friction}"/>'
        "</worldbody></mujoco>"
    )

    assert validate(path, strict_schema=True).valid


def test_whitespace_and_comments_inside_option_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "o.xml"
    path.write_text(
        '<mujoco><option timestep="0.002">\n  <!-- a comment -->\n  '
        '<flag energy="enable"/>\n</option><worldbody>'
        '<geom name="floor" type="plane" size="0 0 0.05"/></worldbody></mujoco>'
    )
    report = validate(path)

    assert report.valid, report.failures
    assert "flag" in report.outside_subset
