"""The genome the optimizer evolves: prompt sections + team settings (+ difficulty range).

Settings are mutated within ``SPACE``, a box of legal values per knob; the LLM knobs
(model, temperature) are left as the parent has them offline, where they change nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from arena_core.events.profiles import DifficultyRange, PromptSection, TeamSettings


@dataclass(frozen=True)
class Genome:
    """What a profile version is made of."""

    sections: tuple[PromptSection, ...]
    settings: TeamSettings
    difficulty: DifficultyRange = field(default_factory=DifficultyRange)


INT_SPACE: dict[str, tuple[int, int]] = {
    "population": (2, 12),
    "generations": (1, 30),
    "max_tool_calls": (10, 160),
    "max_steps": (10, 120),
}
"""Integer knobs and their legal ranges."""
FLOAT_SPACE: dict[str, tuple[float, float]] = {"time_margin": (0.5, 1.0)}
"""Float knobs and their legal ranges."""
BOOL_KNOBS: tuple[str, ...] = ("stress_test", "use_skills")
"""Switches."""


def random_settings(rng: random.Random, base: TeamSettings | None = None) -> TeamSettings:
    """Settings drawn uniformly from the space (the LLM knobs kept from ``base``)."""
    values: dict[str, object] = {k: rng.randint(lo, hi) for k, (lo, hi) in INT_SPACE.items()}
    values |= {k: round(rng.uniform(lo, hi), 3) for k, (lo, hi) in FLOAT_SPACE.items()}
    values |= {k: rng.random() < 0.5 for k in BOOL_KNOBS}
    return (base or TeamSettings()).model_copy(update=values)


def mutate_settings(settings: TeamSettings, rng: random.Random, rate: float = 0.3) -> TeamSettings:
    """Each knob changes with probability ``rate``: integers and floats by a Gaussian step
    of a fifth of their range (clipped), switches flip."""
    values: dict[str, object] = {}
    for k, (lo, hi) in INT_SPACE.items():
        if rng.random() < rate:
            step = rng.gauss(0.0, (hi - lo) / 5)
            values[k] = min(hi, max(lo, round(getattr(settings, k) + step)))
    for k, (flo, fhi) in FLOAT_SPACE.items():
        if rng.random() < rate:
            step = rng.gauss(0.0, (fhi - flo) / 5)
            values[k] = round(min(fhi, max(flo, getattr(settings, k) + step)), 3)
    for k in BOOL_KNOBS:
        if rng.random() < rate / 2:
            values[k] = not getattr(settings, k)
    return settings.model_copy(update=values)


def cross_settings(a: TeamSettings, b: TeamSettings, rng: random.Random) -> TeamSettings:
    """Uniform crossover: each knob from one parent or the other."""
    knobs = (*INT_SPACE, *FLOAT_SPACE, *BOOL_KNOBS)
    return a.model_copy(update={k: getattr(b, k) for k in knobs if rng.random() < 0.5})
