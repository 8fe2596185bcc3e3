"""``arena prompts list|show`` read the registry the runs use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arena_core.cli.main import app, build_app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    build_app()
    return CliRunner()


def test_prompts_list_shows_the_prod_prompt_of_every_role(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["role"] for r in rows if "prod" in r["tags"]} == {"planner", "engineer", "critic"}


def test_prompts_show_prints_a_role_s_prod_template(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "critic"])
    assert result.exit_code == 0, result.output
    assert "role=critic" in result.stdout and "`review` tool" in result.stdout


def test_prompts_show_of_an_unknown_id_fails_with_its_name(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "critic-9.9.9-deadbeef"])
    assert result.exit_code == 1
    assert "no prompt 'critic-9.9.9-deadbeef'" in result.output


def test_prompts_add_with_a_tag_records_and_promotes_a_new_version(
    runner: CliRunner, tmp_path: Path
) -> None:
    template = tmp_path / "planner.j2"
    template.write_text("Plan {{ family }} step by step.")
    added = runner.invoke(
        app, ["prompts", "add", "planner", "1.1.0", str(template), "--tag", "prod", "-d", "steps"]
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(app, ["prompts", "show", "planner"])
    assert "version=1.1.0" in shown.stdout and "step by step" in shown.stdout


def test_prompts_tag_moves_prod_back_to_the_packaged_default(
    runner: CliRunner, tmp_path: Path
) -> None:
    template = tmp_path / "critic.j2"
    template.write_text("Review {{ family }} strictly.")
    assert runner.invoke(app, ["prompts", "add", "critic", "2.0.0", str(template), "--tag", "prod"])
    listed = [
        json.loads(line)
        for line in runner.invoke(
            app, ["prompts", "list", "--role", "critic", "--json"]
        ).stdout.splitlines()
    ]
    packaged = next(r["id"] for r in listed if r["version"] == "1.0.0")
    moved = runner.invoke(app, ["prompts", "tag", packaged, "prod"])
    assert moved.exit_code == 0, moved.output
    assert "version=1.0.0" in runner.invoke(app, ["prompts", "show", "critic"]).stdout


def test_prompts_add_refuses_a_bad_template_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    template = tmp_path / "planner.j2"
    template.write_text("Plan {{ reference_solution }}.")
    result = runner.invoke(app, ["prompts", "add", "planner", "1.1.0", str(template)])
    assert result.exit_code == 2
    assert "not a template variable" in result.output and "Traceback" not in result.output
