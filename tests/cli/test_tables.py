"""Tables never cut an id: on a narrow terminal the other columns fold instead."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from arena_core.cli.main import app, build_app


def test_prompt_ids_stay_whole_in_a_narrow_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_app()
    cli = CliRunner()
    ids = [orjson.loads(line)["id"] for line in
           cli.invoke(app, ["prompts", "list", "--json"]).stdout.splitlines()]  # fmt: skip
    assert ids
    narrow = cli.invoke(app, ["prompts", "list"], env={"COLUMNS": "50"})
    assert narrow.exit_code == 0, narrow.output
    assert "…" not in narrow.stdout
    for prompt_id in ids:
        assert prompt_id in narrow.stdout
