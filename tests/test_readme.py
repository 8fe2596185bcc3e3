"""The README stays true: its configuration table is the settings' own documentation."""

from __future__ import annotations

from pathlib import Path

from arena_core.settings import settings_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_configuration_table_lists_every_setting_as_documented() -> None:
    assert settings_markdown() in README.read_text(), (
        "README configuration table is stale: paste the output of "
        "`python -c 'from arena_core.settings import settings_markdown as m; print(m())'`"
    )


def test_the_readme_starts_with_the_two_commands() -> None:
    text = README.read_text()
    first_block = text[text.index("```bash") : text.index("```", text.index("```bash") + 7)]
    assert "./scripts/demo" in first_block
    assert "./scripts/test" in first_block
