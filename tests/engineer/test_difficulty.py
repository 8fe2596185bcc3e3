"""The offline team on a hard generated benchmark: the search has to evolve to solve it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson
import pytest

from arena_core.events.agent import AgentToolCompleted
from arena_core.events.engineer import SolveJobCompleted
from engineer.solving import SolveTarget, request_for, solve
from generator.families import family, spec_from_draft
from tests.engineer.conftest import Team

pytestmark = pytest.mark.asyncio(loop_scope="module")

HARD = ("motor_push", 0, 5)
"""Family, seed and difficulty of a benchmark whose first generation of designs fails."""


async def test_the_search_evolves_past_a_failed_first_generation_and_solves(team: Team) -> None:
    name, seed, difficulty = HARD
    spec = spec_from_draft(family(name).draw(seed, difficulty))
    target = SolveTarget(f"{name}-d{difficulty}-seed{seed}", spec)
    run_id = f"run-hard-{datetime.now(UTC).timestamp()}"
    done = await solve(team.bus, request_for(target), run_id=run_id, timeout=600)
    await asyncio.sleep(0.2)  # let the last events reach the capture

    assert isinstance(done, SolveJobCompleted), done
    assert done.solved, done.reasons
    assert done.cost is not None and done.max_cost is not None and done.cost <= done.max_cost
    assert done.mass_kg is not None and done.max_mass_kg is not None
    assert done.mass_kg <= done.max_mass_kg
    generations = [
        orjson.loads(e.payload.result)
        for e in team.of_run(run_id)
        if isinstance(e.payload, AgentToolCompleted)
        and e.payload.tool_name == "simulate_preview"
        and not e.payload.arguments.get("stress")
    ]
    assert len(generations) >= 2
    assert not any(report["passed"] for report in generations[0])
    assert done.sim_calls <= request_for(target).max_sim_calls
