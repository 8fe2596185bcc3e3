"""The prompt registry: immutable rows, semver, lineage, and the ``prod`` tag runs read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from arena_core.db import open_database
from arena_core.prompts import (
    PACKAGED_VERSIONS,
    InvalidPrompt,
    add_prompt,
    list_prompts,
    load_packaged_defaults,
    prod_prompt,
    tag_prompt,
)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_database(tmp_path / "arena.db")


def test_a_fresh_database_serves_the_packaged_prod_prompt_of_every_role(engine: Engine) -> None:
    for role, version in PACKAGED_VERSIONS.items():
        prompt = prod_prompt(engine, role)
        assert (prompt.role, prompt.version, prompt.tags) == (role, version, ("prod",))


def test_loading_the_packaged_defaults_twice_adds_nothing(engine: Engine) -> None:
    assert len(load_packaged_defaults(engine)) == len(PACKAGED_VERSIONS)
    assert load_packaged_defaults(engine) == []
    assert len(list_prompts(engine)) == len(PACKAGED_VERSIONS)


def test_prompt_rows_cannot_be_updated_or_deleted(engine: Engine) -> None:
    prompt = prod_prompt(engine, "critic")
    with pytest.raises(IntegrityError, match="immutable"), engine.begin() as conn:
        conn.execute(text("UPDATE prompts SET content = 'x' WHERE id = :id"), {"id": prompt.id})
    with pytest.raises(IntegrityError, match="immutable"), engine.begin() as conn:
        conn.execute(text("DELETE FROM prompts WHERE id = :id"), {"id": prompt.id})
    assert prod_prompt(engine, "critic").content == prompt.content


def test_a_version_cannot_be_written_twice(engine: Engine) -> None:
    prod_prompt(engine, "critic")
    with pytest.raises(InvalidPrompt, match="immutable"):
        add_prompt(engine, "critic", PACKAGED_VERSIONS["critic"], "Review {{ family }}.")


def test_moving_the_prod_tag_changes_what_runs_read_and_keeps_lineage(engine: Engine) -> None:
    first = prod_prompt(engine, "planner")
    second = add_prompt(
        engine, "planner", "1.1.0", "Plan {{ family }} carefully.", parent_id=first.id
    )
    assert prod_prompt(engine, "planner").id == first.id
    tag_prompt(engine, second.id, "prod")
    now = prod_prompt(engine, "planner")
    assert (now.id, now.parent_id, now.tags) == (second.id, first.id, ("prod",))
    assert "prod" not in next(p for p in list_prompts(engine) if p.id == first.id).tags


@pytest.mark.parametrize(
    ("version", "content", "problem"),
    [
        ("1.1", "Plan {{ family }}.", "semantic version"),
        ("1.1.0", "Plan {{ family }.", "line 1"),
        ("1.1.0", "Plan {{ reference_solution }}.", "not a template variable"),
    ],
)
def test_bad_templates_and_versions_are_refused_with_the_problem(
    engine: Engine, version: str, content: str, problem: str
) -> None:
    with pytest.raises(InvalidPrompt, match=problem):
        add_prompt(engine, "planner", version, content)
