"""Validation of MJCF files written by anyone: each failure class on a real file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import mujoco
import pytest

from arena_core.events.sim import ValidationFailureKind as Kind
from simrunner.limits import Limits
from simrunner.meshes import box_stl
from simrunner.validate import validate

FLOOR = '<geom name="floor" type="plane" size="0 0 0.05"/>'


def mjcf(body: str, *, head: str = "", tail: str = "") -> str:
    return f'<mujoco model="t">{head}<worldbody>{FLOOR}{body}</worldbody>{tail}</mujoco>'


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


PENDULUM = """
<mujoco model="pendulum">
  <option timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.05"/>
    <body name="crate" pos="0.5 0 0.1">
      <freejoint/>
      <geom name="crate" type="box" size="0.1 0.1 0.1" density="500"/>
    </body>
    <body name="arm" pos="0 0 1">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
      <geom name="rod" type="capsule" fromto="0 0 0 0.3 0 0" size="0.02"/>
    </body>
  </worldbody>
  <actuator><motor name="drive" joint="hinge" gear="1" ctrlrange="-2 2"/></actuator>
</mujoco>
"""


def test_a_hand_written_scene_is_valid(tmp_path: Path) -> None:
    report = validate(write(tmp_path, "pendulum.xml", PENDULUM))
    assert report.valid, report.failures
    assert report.frames_checked == 300
    assert report.model is not None and report.model.nu == 1


def test_xml_that_mujoco_accepts_but_is_not_well_formed_fails_as_xml_syntax(
    tmp_path: Path,
) -> None:
    text = mjcf('<body pos="0 0 0.2"><freejoint/><geom type="sphere" size="0.1"/></body>')
    text = text.replace('model="t"', 'model="rock & roll"')
    mujoco.MjModel.from_xml_string(text)  # MuJoCo's own reader takes it
    report = validate(write(tmp_path, "amp.xml", text))
    assert report.kinds() == {Kind.xml_syntax}
    assert report.failures[0].line == 1


def test_includes_and_relative_mesh_paths_resolve_from_the_files_folder(tmp_path: Path) -> None:
    write(tmp_path, "assets/block.stl", box_stl((0.05, 0.05, 0.05)))
    write(
        tmp_path,
        "parts/block.xml",
        '<mujoco><worldbody><body name="block" pos="0 0 0.05">'
        '<freejoint/><geom type="mesh" mesh="block"/></body></worldbody></mujoco>',
    )
    main = write(
        tmp_path,
        "main.xml",
        mjcf(
            "",
            head='<compiler meshdir="assets"/><asset><mesh name="block" file="block.stl"/></asset>',
            tail='<include file="parts/block.xml"/>',
        ),
    )
    report = validate(main)
    assert report.valid, report.failures
    assert report.model is not None and report.model.nmesh == 1


def test_a_missing_mesh_file_is_a_missing_asset(tmp_path: Path) -> None:
    text = mjcf(
        '<geom type="mesh" mesh="m"/>', head='<asset><mesh name="m" file="nowhere/m.stl"/></asset>'
    )
    report = validate(write(tmp_path, "m.xml", text))
    assert report.kinds() == {Kind.missing_asset}
    assert report.failures[0].subjects == ("nowhere/m.stl",)


def test_a_missing_include_is_a_missing_asset(tmp_path: Path) -> None:
    report = validate(write(tmp_path, "m.xml", mjcf('<include file="gone.xml"/>')))
    assert report.kinds() == {Kind.missing_asset}


def test_nan_in_a_value_is_reported_and_the_state_is_caught_non_finite(tmp_path: Path) -> None:
    text = mjcf('<body pos="0 0 nan"><freejoint/><geom type="sphere" size="0.1"/></body>')
    report = validate(write(tmp_path, "nan.xml", text))
    assert Kind.schema in report.kinds()  # the non-finite number, with its line
    assert Kind.unstable_simulation in report.kinds()  # and what it does to the state
    unstable = next(f for f in report.failures if f.kind == Kind.unstable_simulation)
    assert "non-finite" in unstable.message


def test_a_mujoco_compile_error_keeps_mujocos_message(tmp_path: Path) -> None:
    text = mjcf('<body><joint type="hinge"/><geom type="sphere" size="0.1" mass="-1"/></body>')
    report = validate(write(tmp_path, "bad.xml", text))
    assert report.kinds() == {Kind.compile}
    assert "mass" in report.failures[0].message.lower()


def test_overlapping_boxes_are_interpenetrating(tmp_path: Path) -> None:
    text = mjcf(
        '<body name="a" pos="0 0 0.1"><freejoint/><geom name="a" type="box" size="0.1 0.1 0.1"/>'
        '</body><body name="b" pos="0.15 0 0.1"><freejoint/>'
        '<geom name="b" type="box" size="0.1 0.1 0.1"/></body>'
    )
    report = validate(write(tmp_path, "overlap.xml", text))
    overlap = [f for f in report.failures if f.kind == Kind.interpenetration]
    assert len(overlap) == 1
    assert set(overlap[0].subjects) == {"a", "b"}
    assert overlap[0].depth_m == pytest.approx(0.05, rel=0.05)


def test_resting_contact_is_not_interpenetration(tmp_path: Path) -> None:
    text = mjcf('<body pos="0 0 0.1"><freejoint/><geom type="box" size="0.1 0.1 0.1"/></body>')
    report = validate(write(tmp_path, "rest.xml", text))
    assert report.valid, report.failures


def test_an_excluded_parent_child_overlap_is_not_interpenetration(tmp_path: Path) -> None:
    text = mjcf(
        '<body name="parent" pos="0 0 0.5"><freejoint/><geom type="box" size="0.1 0.1 0.1"/>'
        '<body name="child" pos="0.05 0 0"><joint type="hinge" axis="0 0 1"/>'
        '<geom type="box" size="0.1 0.1 0.1"/></body></body>'
    )
    report = validate(write(tmp_path, "family.xml", text))
    assert Kind.interpenetration not in report.kinds()


def test_geoms_filtered_by_contype_do_not_interpenetrate(tmp_path: Path) -> None:
    text = mjcf(
        '<body pos="0 0 0.1"><freejoint/><geom type="box" size="0.1 0.1 0.1"/></body>'
        '<body pos="0.05 0 0.1"><freejoint/>'
        '<geom type="box" size="0.1 0.1 0.1" contype="0" conaffinity="0"/></body>'
    )
    report = validate(write(tmp_path, "ghost.xml", text))
    assert Kind.interpenetration not in report.kinds()


def test_intersecting_mesh_solids_report_their_volume(tmp_path: Path) -> None:
    write(tmp_path, "cube.stl", box_stl((0.1, 0.1, 0.1)))
    text = mjcf(
        '<body name="a" pos="0 0 1"><freejoint/><geom name="a" type="mesh" mesh="cube"/></body>'
        '<body name="b" pos="0.1 0 1"><freejoint/><geom name="b" type="mesh" mesh="cube"/></body>',
        head='<asset><mesh name="cube" file="cube.stl"/></asset>',
    )
    report = validate(write(tmp_path, "cubes.xml", text))
    volumes = [f.volume_m3 for f in report.failures if f.volume_m3 is not None]
    assert volumes == [pytest.approx(0.1 * 0.2 * 0.2, rel=0.1)]


def test_an_exploding_model_is_unstable(tmp_path: Path) -> None:
    text = mjcf(
        '<body pos="0 0 1"><joint type="hinge" axis="0 1 0" stiffness="1e9" ref="1"/>'
        '<geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.01" mass="0.001"/></body>',
        head='<option timestep="0.01" integrator="Euler"/>',
    )
    report = validate(write(tmp_path, "boom.xml", text))
    assert Kind.unstable_simulation in report.kinds()
    failure = next(f for f in report.failures if f.kind == Kind.unstable_simulation)
    assert failure.time_s is not None


def test_a_motor_driving_nothing_is_ineffective(tmp_path: Path) -> None:
    report = validate(write(tmp_path, "idle.xml", PENDULUM.replace('gear="1"', 'gear="0"')))
    assert report.kinds() == {Kind.motor_ineffective}
    assert report.failures[0].subjects == ("drive",)


def test_a_deeply_nested_file_hits_the_depth_limit(tmp_path: Path) -> None:
    depth = 200
    bodies = '<body><geom type="sphere" size="0.01"/>' * depth + "</body>" * depth
    report = validate(write(tmp_path, "deep.xml", mjcf(bodies)))
    assert report.kinds() == {Kind.resource_limit}


def test_nesting_beyond_the_xml_parsers_limit_is_a_resource_limit(tmp_path: Path) -> None:
    depth = 3000
    text = mjcf("<body>" * depth + "</body>" * depth)
    report = validate(write(tmp_path, "deeper.xml", text), Limits(max_depth=10_000))
    assert report.kinds() == {Kind.resource_limit}


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "big.xml", PENDULUM + " " * 10_000)
    report = validate(path, Limits(max_file_bytes=5_000))
    assert report.kinds() == {Kind.resource_limit}
    assert "bytes" in report.failures[0].message


def test_the_wall_clock_limit_stops_a_long_check(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), wall_limit_s=0.0)
    report = validate(write(tmp_path, "p.xml", PENDULUM), limits)
    assert report.kinds() == {Kind.resource_limit}


def test_mjcf_beyond_the_emitted_subset_is_noted_not_failed(tmp_path: Path) -> None:
    text = mjcf(
        '<body pos="0 0 0.2"><freejoint/><geom type="ellipsoid" size="0.1 0.1 0.05" '
        'solref="0.02 1"/></body>',
        head='<default><geom rgba="1 0 0 1"/></default>',
    )
    report = validate(write(tmp_path, "rich.xml", text))
    assert report.valid, report.failures
    assert "default" in report.outside_subset
    assert "geom@solref" in report.outside_subset
    assert "geom@type=ellipsoid" in report.outside_subset  # named by its value


def test_strict_schema_fails_mjcf_beyond_the_emitted_subset(tmp_path: Path) -> None:
    text = mjcf(
        '<body pos="0 0 0.2"><freejoint/><geom type="sphere" size="0.1" solref="0.02 1"/></body>'
    )
    report = validate(write(tmp_path, "rich.xml", text), strict_schema=True)
    assert report.kinds() == {Kind.schema}
