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
    rows = json.loads(result.stdout)
    assert {r["role"] for r in rows if "prod" in r["tags"]} == {"planner", "engineer", "critic"}


def test_prompts_show_prints_a_role_s_prod_template(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "critic"])
    assert result.exit_code == 0, result.output
    assert "role=critic" in result.stdout and "`review` tool" in result.stdout


def test_prompts_show_of_an_unknown_id_fails_with_its_name(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "critic-9.9.9-deadbeef"])
    assert result.exit_code == 1
    assert "no prompt 'critic-9.9.9-deadbeef'" in result.output
