"""The genome the optimizer evolves: prompt sections + team settings (+ difficulty range).

Settings are mutated within a box of legal values per knob; the LLM knobs (model,
temperature) are left as the parent has them offline, where they change nothing. The
population stops at what one generation can simulate (``simulate_preview`` takes at most
8 designs) and the time margin moves on a grid of ``MARGIN_STEP``: finer steps change no
decision worth a regression batch.
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
    "population": (2, 8),
    "generations": (1, 30),
    "max_tool_calls": (10, 160),
    "max_steps": (10, 120),
}
"""Integer knobs and their legal ranges."""
FLOAT_SPACE: dict[str, tuple[float, float]] = {"time_margin": (0.5, 1.0)}
"""Float knobs and their legal ranges."""
BOOL_KNOBS: tuple[str, ...] = ("stress_test", "use_skills")
"""Switches."""
MARGIN_STEP = 0.05
"""The grid float knobs move on."""


def _on_grid(value: float, lo: float, hi: float) -> float:
    return round(min(hi, max(lo, round(value / MARGIN_STEP) * MARGIN_STEP)), 3)


def random_settings(rng: random.Random, base: TeamSettings | None = None) -> TeamSettings:
    """Settings drawn uniformly from the space (the LLM knobs kept from ``base``)."""
    values: dict[str, object] = {k: rng.randint(lo, hi) for k, (lo, hi) in INT_SPACE.items()}
    values |= {k: _on_grid(rng.uniform(lo, hi), lo, hi) for k, (lo, hi) in FLOAT_SPACE.items()}
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
            values[k] = _on_grid(getattr(settings, k) + step, flo, fhi)
    for k in BOOL_KNOBS:
        if rng.random() < rate / 2:
            values[k] = not getattr(settings, k)
    return settings.model_copy(update=values)


def cross_settings(a: TeamSettings, b: TeamSettings, rng: random.Random) -> TeamSettings:
    """Uniform crossover: each knob from one parent or the other."""
    knobs = (*INT_SPACE, *FLOAT_SPACE, *BOOL_KNOBS)
    return a.model_copy(update={k: getattr(b, k) for k in knobs if rng.random() < 0.5})


def nudge_settings(
    settings: TeamSettings, knob: str, direction: int, rng: random.Random
) -> TeamSettings:
    """Move ``knob`` in ``direction`` (+1 up, -1 down; a switch turns on or off): a
    number by a random 20 to 50 % of its value (at least one unit, one grid step),
    within its bounds."""
    if knob in BOOL_KNOBS:
        return settings.model_copy(update={knob: direction > 0})
    share = rng.uniform(0.2, 0.5)
    current = getattr(settings, knob)
    if knob in INT_SPACE:
        lo, hi = INT_SPACE[knob]
        step = max(1, round(current * share))
        moved = min(hi, max(lo, current + direction * step))
        # A value outside the box (a person's) is never moved against the direction.
        value: object = max(moved, current) if direction > 0 else min(moved, current)
    else:
        flo, fhi = FLOAT_SPACE[knob]
        fstep = max(MARGIN_STEP, current * share / 2)
        value = _on_grid(current + direction * fstep, flo, fhi)
    return settings.model_copy(update={knob: value})
