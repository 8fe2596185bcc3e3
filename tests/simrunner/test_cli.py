"""``arena validate``: exit codes and reports naming each failure's class."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from arena_core.cli.main import app, build_app

runner = CliRunner()
build_app()

VALID = (
    '<mujoco><worldbody><geom type="plane" size="0 0 1"/><body pos="0 0 0.1"><freejoint/>'
    '<geom type="box" size="0.1 0.1 0.1"/></body></worldbody></mujoco>'
)


def test_a_valid_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_text(VALID)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_an_invalid_file_exits_one_and_names_the_failure_class(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(VALID.replace('pos="0 0 0.1"', 'pos="0 0 0.0"'))
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert [f["kind"] for f in report["failures"]] == ["interpenetration"]


def test_a_missing_file_exits_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.xml")])
    assert result.exit_code == 2


def test_a_file_beyond_the_limits_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text("<mujoco>" + "<body>" * 300 + "</body>" * 300 + "</mujoco>")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "resource_limit" in result.output
