"""Settings moves answer the parent's failure reasons; the genome stays in its box."""

from __future__ import annotations

import random

from arena_core.events.profiles import TeamSettings
from optimizer.genome import INT_SPACE, MARGIN_STEP, mutate_settings, random_settings
from optimizer.library import nudges
from optimizer.operators import vary_settings

SPENT = "The simulation budget is spent without a robust design."
FRAGILE = "fragile: passes the official copies but only 88% of 16 stress copies"


def test_reasons_are_mined_for_settings_moves_most_frequent_first() -> None:
    assert nudges([SPENT, SPENT, FRAGILE])[:2] == [("max_tool_calls", 1), ("population", -1)]
    assert nudges([FRAGILE])[0] == ("stress_test", 1)
    assert nudges(["solved"]) == []


def test_a_search_that_spent_its_simulations_gets_more_or_breeds_smaller_generations() -> None:
    base = TeamSettings(max_tool_calls=20)
    moved = [vary_settings(base, [SPENT] * 3, random.Random(i)) for i in range(40)]
    more = [s for s, ops in moved if ops[0] == "nudge max_tool_calls"]
    smaller = [s for s, ops in moved if ops[0] == "nudge population"]
    assert len(more) > len(smaller) > 3
    assert all(s.max_tool_calls > 20 for s in more)
    assert all(s.population < base.population for s in smaller)
    # Without failures the settings only mutate.
    assert all(ops == ("mutate",) for _, ops in (vary_settings(base, [], random.Random(i))
                                                 for i in range(10)))  # fmt: skip


def test_settings_stay_in_the_box_and_the_margin_on_its_grid() -> None:
    rng = random.Random(3)
    for _ in range(200):
        s = mutate_settings(random_settings(rng), rng, rate=0.9)
        lo, hi = INT_SPACE["population"]
        assert lo <= s.population <= hi <= 8
        assert abs(s.time_margin / MARGIN_STEP - round(s.time_margin / MARGIN_STEP)) < 1e-9
