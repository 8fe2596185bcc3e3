"""The harness's in-process evaluator: real solves by the offline team (build123d,
MuJoCo) on a real nats-server, cached by the settings the team can feel, every request
metered."""

from __future__ import annotations

import pytest

from arena_core.events.profiles import TeamSettings
from arena_core.profiles import packaged_profile
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.stack import services_in_process
from optimizer.inprocess import Meter, TeamEvaluator, effective

pytestmark = pytest.mark.slow

TEAM = ("simrunner", "planner", "engineer", "critic")


def test_knobs_the_team_cannot_feel_under_the_cap_are_dropped_from_the_key() -> None:
    a = TeamSettings(population=4, max_tool_calls=120, model="m", temperature=0.3)
    b = TeamSettings(population=4, max_tool_calls=60)
    assert effective(a, 20) == effective(b, 20)
    assert effective(a, 20).max_tool_calls == 20
    assert effective(TeamSettings(population=5), 20) != effective(b, 20)


async def test_solves_are_real_cached_and_metered(settings: Settings) -> None:
    template = packaged_profile("engineer").template
    longer = template + "\n- Check the worst copy before you submit.\n"
    specs = {"ball": ball_to_goal(seed=3)}
    async with services_in_process(settings, TEAM, record=False) as bus:
        team = TeamEvaluator(bus, specs, max_sim_calls=12)
        await team.start()
        meter = Meter(team)
        knobs = TeamSettings(population=4)
        [first] = await meter.run(knobs, template, ["ball"])
        [again] = await meter.run(
            knobs.model_copy(update={"max_tool_calls": 90}), template, ["ball"]
        )
        [wordier] = await meter.run(knobs, longer, ["ball"])
        [broken] = await meter.run(knobs, template + "{% if %}", ["ball"])
        [other] = await meter.run(TeamSettings(population=2), template, ["ball"])
        [cut] = await meter.run(TeamSettings(population=2, max_steps=2), template, ["ball"])
        await team.stop()
    assert first.simulations > 0 and first.tokens > 0
    assert again == first  # the same decisions: served from the cache
    assert meter.solves == 6 and (team.real, team.hits) == (3, 2)
    # The longer prompt costs tokens on every engineer call, nothing else changes.
    assert wordier.tokens > first.tokens and wordier.solved == first.solved
    assert wordier.simulations == first.simulations
    assert not broken.solved and broken.reasons[0].startswith("template:")
    assert other.simulations != first.simulations or other.tokens != first.tokens
    # The turn limit is the engineer's too: two turns and it stops, unsolved.
    assert not cut.solved and "after 2 turns" in " ".join(cut.reasons)
