"""Non-triviality by random designs: seeded, inside the build zone, counted on real MuJoCo."""

from __future__ import annotations

import pytest

from arena_core.events.benchmark import Triviality
from arena_core.events.sim import SimJobCompleted
from arena_core.spec import Solution, world_aabb
from generator.families import FAMILIES, spec_from_draft
from generator.random_designs import random_designs
from generator.triviality import RANDOM_DESIGNS, TRIVIAL_RATE, is_trivial, measure
from simrunner.simulate import simulate


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_random_designs_are_seeded_and_lie_inside_the_build_zone(name: str) -> None:
    spec = spec_from_draft(FAMILIES[name].draw(1, 3))
    designs = random_designs(spec, RANDOM_DESIGNS, seed=5)
    assert len(designs) == RANDOM_DESIGNS
    assert designs == random_designs(spec, RANDOM_DESIGNS, seed=5)
    assert designs != random_designs(spec, RANDOM_DESIGNS, seed=6)
    for design in designs:
        for part in design.parts:
            low, high = world_aabb(part.geometry, part.pose)  # type: ignore[arg-type]
            assert spec.build_zone.contains_box(low, high, 1e-6)
    if spec.motors:
        assert any(p.motor for d in designs for p in d.parts)


async def test_measure_counts_the_designs_that_pass_every_copy() -> None:
    spec = spec_from_draft(FAMILIES["retaining_wall"].draw(1, 1))

    async def run(solution: Solution) -> SimJobCompleted | None:
        return simulate(spec, solution)

    triviality = await measure(spec, run, designs=20, seed=spec.seed)
    expected = sum(
        all(c.success for c in simulate(spec, s).metrics.copies)
        for s in random_designs(spec, 20, spec.seed)
    )
    assert triviality.designs == 20
    assert triviality.passes == expected
    assert triviality.rate == round(expected / 20, 6)


def test_a_benchmark_is_trivial_from_the_threshold_on() -> None:
    def t(passes: int) -> Triviality:
        return Triviality(
            designs=50, passes=passes, rate=passes / 50, threshold=TRIVIAL_RATE, seed=0
        )

    assert not is_trivial(t(4))
    assert is_trivial(t(5))
    assert not is_trivial(Triviality(designs=0, passes=0, rate=0.0, threshold=0.1, seed=0))
