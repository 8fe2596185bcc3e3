"""The committed schemas/ match the event models, and the generator is complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import yaml

from arena_core import schemas
from arena_core.events import registry

REPO = Path(__file__).resolve().parents[1]


def test_committed_schemas_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arena_core.cli", "schemas", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated schemas directory (generating takes seconds: done once)."""
    out = tmp_path_factory.mktemp("schemas")
    schemas.write(out)
    return out


def test_check_reports_a_stale_directory(generated: Path, tmp_path: Path) -> None:
    shutil.copytree(generated, tmp_path, dirs_exist_ok=True)
    (tmp_path / "error.dead_letter.json").write_text("{}")
    (tmp_path / "gone.event.json").write_text("{}")
    problems = schemas.check(tmp_path)
    assert any(p.startswith("error.dead_letter.json: differs") for p in problems)
    assert any(p.startswith("gone.event.json: no longer generated") for p in problems)


def test_asyncapi_has_one_channel_per_event_type(generated: Path) -> None:
    doc = yaml.load((generated / "asyncapi.yaml").read_text(), Loader=yaml.CSafeLoader)
    assert doc["asyncapi"] == "3.0.0"
    addresses = sorted(c["address"] for c in doc["channels"].values())
    assert addresses == sorted(f"arena.{t}" for t in registry)
    for event_type in registry:
        schema = orjson.loads((generated / f"{event_type}.json").read_bytes())
        assert schema["properties"]["type"]["const"] == event_type
        assert "payload" in schema["required"]
