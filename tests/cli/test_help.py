"""Every command's --help: an example, readable value types, no reStructuredText."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from arena_core.cli.main import app
from tests.cli.commands import every_command

RST = re.compile(r"``|:(class|func|meth|mod|attr):`|^\s*\.\. ", re.M)


def test_every_command_help_shows_an_example_and_no_markup() -> None:
    cli = CliRunner()
    seen = []
    for path, _command in every_command():
        shown = cli.invoke(app, [*path, "--help"], terminal_width=120)
        name = " ".join(["arena", *path])
        assert shown.exit_code == 0, name
        assert "Examples:" in shown.output, f"{name} --help has no example"
        assert re.search(r"^\s+arena ", shown.output.split("Examples:")[1], re.M), name
        assert "<bool>" not in shown.output and "list[" not in shown.output, name
        assert not RST.search(shown.output), f"{name} --help shows reStructuredText"
        seen.append(name)
    assert {"arena solve", "arena prompts tag", "arena db rebuild", "arena render"} <= set(seen)
