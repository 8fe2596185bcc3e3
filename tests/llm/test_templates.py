"""Prompt templates: strict rendering and checks that point at the line."""

from __future__ import annotations

import pytest

from arena_core.llm import PromptRenderError, check_template, is_semver, render_prompt

TEMPLATE = """You are the {{ role }}.
{% for rule in rules %}
- {{ rule }}
{% endfor %}
Budget: {{ budget_usd }} USD
"""


def test_a_template_renders_with_its_variables() -> None:
    text = render_prompt(TEMPLATE, role="engineer", rules=["cheap", "light"], budget_usd=12)

    assert text == "You are the engineer.\n- cheap\n- light\nBudget: 12 USD\n"


def test_a_missing_variable_fails_naming_it_and_its_line() -> None:
    with pytest.raises(PromptRenderError) as caught:
        render_prompt(TEMPLATE, role="engineer", rules=[])

    problem = caught.value.problem
    assert problem.kind == "undefined_variable"
    assert problem.line == 5
    assert "budget_usd" in problem.message


def test_a_syntax_error_is_reported_with_its_line() -> None:
    problems = check_template("line one\n{% if x %}\nno end")

    assert len(problems) == 1
    assert problems[0].kind == "syntax"
    assert problems[0].line == 3


def test_a_valid_template_has_no_problems() -> None:
    assert check_template(TEMPLATE) == []


def test_names_outside_the_declared_variables_are_reported() -> None:
    problems = check_template(TEMPLATE, variables={"role", "rules"})

    assert [(p.kind, p.line) for p in problems] == [("undefined_variable", 5)]
    assert "budget_usd" in problems[0].message


def test_templates_cannot_reach_python_internals() -> None:
    with pytest.raises(PromptRenderError) as caught:
        render_prompt("{{ ''.__class__.__mro__ }}")

    assert caught.value.problem.kind in {"render", "undefined_variable"}


@pytest.mark.parametrize(
    ("version", "valid"),
    [("1.4.0", True), ("2.0.0-rc.1", True), ("1.4", False), ("01.2.3", False)],
)
def test_prompt_versions_are_semantic_versions(version: str, valid: bool) -> None:
    assert is_semver(version) is valid
