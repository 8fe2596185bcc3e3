"""Real-world MJCF: models shipped by gymnasium and dm_control, and broken variants of them.

``corpus/`` holds the files as their packages ship them, with their licences
(``corpus/gymnasium/LICENSE``: MIT; ``corpus/dm_control/LICENSE``: Apache-2.0). Policy:
every model must validate, except where its bodies really overlap at ``qpos0`` (the
reference pose MuJoCo starts from; keyframes are not applied unless asked for); those
are listed in ``OVERLAPPING_AT_QPOS0`` and must fail with ``interpenetration`` only.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from arena_core.events.sim import ValidationFailureKind as Kind
from simrunner.limits import Limits
from simrunner.validate import validate

CORPUS = Path(__file__).parent / "corpus"
MODELS = sorted(CORPUS.glob("*/*.xml"))
OVERLAPPING_AT_QPOS0 = {
    # The humanoid lies on the floor with both arms 35 mm into it.
    "gymnasium/humanoidstandup.xml",
}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_corpus_has_at_least_thirty_models_and_their_licences() -> None:
    assert len(MODELS) >= 30
    for folder in {path.parent for path in MODELS}:
        assert (folder / "LICENSE").is_file()


@pytest.mark.parametrize("path", MODELS, ids=_name)
def test_a_shipped_model_validates(path: Path) -> None:
    report = validate(path)

    if _name(path) in OVERLAPPING_AT_QPOS0:
        assert report.kinds() == {Kind.interpenetration}, report.failures
    else:
        assert report.valid, report.failures


def _variant(tmp_path: Path, source: str, edit: dict[str, str]) -> Path:
    """A copy of a corpus model (its folder's includes too) with text replaced."""
    folder = tmp_path / "model"
    shutil.copytree(CORPUS / Path(source).parent, folder)
    path = folder / Path(source).name
    text = path.read_text()
    for old, new in edit.items():
        assert re.search(old, text), old
        text = re.sub(old, new, text)
    path.write_text(text)
    return path


OVERLAPPING_BOX = (
    '<body name="intruder" pos="0 0 0"><freejoint/>'
    '<geom type="box" size=".2 .2 .2" contype="1" conaffinity="1"/></body>'
)
EXPLODING = (
    '<body name="spring" pos="3 3 1"><joint type="hinge" axis="0 1 0" stiffness="1e9" ref="1"/>'
    '<geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.01" mass="0.001"/></body>'
)

BROKEN = {
    Kind.xml_syntax: ("gymnasium/ant.xml", {r"</mujoco>\s*$": ""}),
    Kind.schema: ("gymnasium/hopper.xml", {r'friction="0.9"': 'friction="0.9 0.1 0.1 0.1"'}),
    Kind.missing_asset: (
        "dm_control/cartpole.xml",
        {r"<worldbody>": '<asset><mesh name="gone" file="gone.stl"/></asset><worldbody>'},
    ),
    Kind.compile: ("gymnasium/reacher.xml", {r'joint="joint0"': 'joint="no_such_joint"'}),
    Kind.interpenetration: (
        "gymnasium/ant.xml",
        {r"</worldbody>": OVERLAPPING_BOX + "</worldbody>"},
    ),
    Kind.unstable_simulation: (
        "gymnasium/swimmer.xml",
        {r"</worldbody>": EXPLODING + "</worldbody>"},
    ),
    Kind.motor_ineffective: ("gymnasium/ant.xml", {r'gear="150"': 'gear="0"'}),
}


@pytest.mark.parametrize("kind", list(BROKEN), ids=str)
def test_a_broken_variant_fails_with_its_class(tmp_path: Path, kind: Kind) -> None:
    source, edit = BROKEN[kind]
    report = validate(_variant(tmp_path, source, edit))

    assert kind in report.kinds(), report.failures


def test_mujocos_own_schema_violation_is_a_schema_failure(tmp_path: Path) -> None:
    path = _variant(tmp_path, "dm_control/pendulum.xml", {r"<worldbody>": "<worldbody><bogus/>"})
    report = validate(path)

    assert report.kinds() == {Kind.schema}
    assert "Schema violation" in report.failures[0].message


def test_a_model_out_of_time_is_a_resource_limit(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), wall_limit_s=0.0)
    report = validate(CORPUS / "dm_control/walker.xml", limits)

    assert report.kinds() == {Kind.resource_limit}


def test_a_resource_limit_keeps_the_failures_found_before_it() -> None:
    limits = dataclasses.replace(Limits(), wall_limit_s=0.0)
    report = validate(CORPUS / "gymnasium/humanoidstandup.xml", limits)

    assert report.kinds() == {Kind.interpenetration, Kind.resource_limit}
