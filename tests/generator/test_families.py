"""Every family on real MuJoCo: the drawn reference solves it, the bare benchmark does not,
and the offline team has templates that fit its build zone."""

from __future__ import annotations

import random

import pytest

from arena_core.spec import Solution
from engineer.catalogue import TEMPLATES, decode, templates_for
from generator.families import FAMILIES, solution_from_draft, spec_from_draft
from simrunner.simulate import simulate

MECHANISMS = ("funnel", "sweep", "lift", "retaining_wall")
"""Families whose references are proven here without CAD (the reviewer test covers CAD)."""


def test_there_are_at_least_eight_families() -> None:
    assert len(FAMILIES) >= 8
    assert set(MECHANISMS) <= set(FAMILIES)


@pytest.mark.parametrize("name", MECHANISMS)
@pytest.mark.parametrize("difficulty", [1, 5])
def test_the_reference_passes_every_copy_and_the_bare_benchmark_fails(
    name: str, difficulty: int
) -> None:
    draft = FAMILIES[name].draw(3, difficulty)
    spec = spec_from_draft(draft)
    assert spec.contradictions() == []
    reference = simulate(spec, solution_from_draft(draft))
    assert reference.passed, [f.message for f in reference.failures]
    bare = simulate(spec, Solution())
    assert bare.metrics.success_rate == 0.0
    assert bare.reward.value < reference.reward.value


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("difficulty", [1, 5])
def test_the_offline_team_has_a_template_that_fits(name: str, difficulty: int) -> None:
    spec = spec_from_draft(FAMILIES[name].draw(3, difficulty))
    rng = random.Random(0)
    fitting = [
        template
        for template in templates_for(spec)
        for _ in range(200)
        if decode(spec, template, tuple(rng.random() for _ in range(TEMPLATES[template][1])))
    ]
    assert fitting, f"no template fits {name} at difficulty {difficulty}"
