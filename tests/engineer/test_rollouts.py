"""Rollout seeds: the offline search is a function of the benchmark and the rollout seed."""

from __future__ import annotations

from engineer.policies.engineer import POPULATION, _breed, search_rng
from generator.families import family, spec_from_draft


def _first_generation(rollout_seed: int) -> list[str]:
    spec = spec_from_draft(family("ball_to_goal").draw(3, 2))
    designs = _breed(spec, [], {}, 0, search_rng(spec, 0, rollout_seed), POPULATION, rollout_seed)
    return [d.design_id for d in designs]


def test_the_same_rollout_seed_gives_the_same_first_generation() -> None:
    assert _first_generation(4) == _first_generation(4)
    assert len(_first_generation(4)) == POPULATION


def test_different_rollout_seeds_start_the_search_in_different_places() -> None:
    generations = {tuple(_first_generation(seed)) for seed in range(4)}
    assert len(generations) == 4
    starts = {g[0] for g in generations}
    assert len(starts) == 4


def test_breeding_randomness_depends_on_the_rollout_seed() -> None:
    spec = spec_from_draft(family("motor_push").draw(0, 1))
    draws = {search_rng(spec, 2, seed).random() for seed in range(5)}
    assert len(draws) == 5
    assert search_rng(spec, 2, 3).random() == search_rng(spec, 2, 3).random()
