"""An optimize job end to end: the recording says the default failed a benchmark; the
optimizer runs regression batches of real solves (offline team, MuJoCo, build123d) on
the bus, records every verdict, promotes from the front, and ``arena optimize status``
shows it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arena_core.cli.main import app, build_app
from arena_core.db import Message
from arena_core.events import Envelope
from arena_core.events.engineer import (
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
    SolveOutcome,
)
from arena_core.events.optimizer import (
    OptimizeJobCompleted,
    OptimizeJobFailed,
    OptimizeJobRequested,
    RegressionJobCompleted,
    RegressionJobRequested,
)
from arena_core.events.profiles import (
    Objectives,
    ProfileApproved,
    ProfileEvaluated,
    TeamSettings,
)
from arena_core.profiles import evaluations, list_profiles, new_profile, packaged_profile
from arena_core.query import SpentQuery
from arena_core.query.reads import spent
from arena_core.settings import Settings
from arena_core.stack import services_in_process
from arena_core.state import SharedState
from optimizer.stack import NEEDED
from tests.recorder.recording import settle

pytestmark = pytest.mark.slow

BENCHMARK = "example:ball_to_goal:0"
SCORE = Objectives(success=1.0, cost_usd=0.0, tokens=100.0, latency_s=1.0, simulations=9.0)


async def _record_a_failure(bus, spec) -> None:  # type: ignore[no-untyped-def]
    """Record that the default failed ``spec``. The running team takes the request too and
    may well solve it, so its answer is awaited first: the failure is then the latest
    outcome the recording holds, whatever the team did."""
    request = Envelope.new(SolveJobRequested(benchmark_id=BENCHMARK, spec=spec, key="seen-1"))
    await bus.request(request, [SolveJobCompleted, SolveJobFailed], timeout=300)
    done = SolveJobCompleted(
        benchmark_id=BENCHMARK, outcome=SolveOutcome.unsolved, solved=False, plan_id="p",
        submissions=3, sim_calls=120, llm_calls=40, tokens=90_000, cost_usd=0.0,
        latency_s=1.0, sim_time_s=900.0, wall_s=300.0,
        reasons=("the goal was reached too late on the worst copy",),
    )  # fmt: skip
    await bus.publish(request.follow(done))


async def test_an_optimize_job_runs_regression_batches_on_the_bus_and_promotes_from_the_front(
    settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arena_core.spec import examples

    seen: list[str] = []
    async with services_in_process(settings, NEEDED) as bus:

        async def keep(msg) -> None:  # type: ignore[no-untyped-def]
            seen.append(msg.subject)

        await bus.nc.subscribe("arena.regression.>", cb=keep)
        await _record_a_failure(bus, examples.ball_to_goal(0))
        await settle(bus, engine)
        job = OptimizeJobRequested(generations=1, population=2, targets=1, controls=0, seed=3)
        reply = await bus.request(
            Envelope.new(job), [OptimizeJobCompleted, OptimizeJobFailed], timeout=280
        )
        await settle(bus, engine)
        # A person approves a variant; the next solve that names no profile runs on it.
        base = packaged_profile("engineer")
        chosen = new_profile(
            "engineer", "1.2.0", base.sections, settings=TeamSettings(population=4),
            parent_ids=(base.id,),
        )  # fmt: skip
        verdict = ProfileEvaluated(
            profile_id=chosen.profile_id, experiment_id="by-hand", objectives=SCORE, targets=1,
            targets_solved=1, controls=0, passed=True,
        )  # fmt: skip
        approval = ProfileApproved(profile_id=chosen.profile_id, role="engineer", approver="ada")
        for payload in (chosen, verdict, approval):
            await bus.publish(Envelope.new(payload))
        state = SharedState(bus)
        for _ in range(100):
            shared = await state.prod_profile("engineer")
            if shared is not None and shared.id == chosen.profile_id:
                break
            await asyncio.sleep(0.1)
        assert shared is not None and shared.id == chosen.profile_id, shared
        after = SolveJobRequested(
            benchmark_id=BENCHMARK, spec=examples.ball_to_goal(0), key="after-approval"
        )
        solved = await bus.request(
            Envelope.new(after, run_id="after"), [SolveJobCompleted, SolveJobFailed], timeout=200
        )
        await settle(bus, engine)
    assert isinstance(solved.payload, SolveJobCompleted)
    with engine.connect() as conn:
        after_prompts = {
            (orjson.loads(body)["payload"].get("prompt") or {}).get("id")
            for (body,) in conn.execute(
                select(Message.body).where(
                    Message.type == "llm.call.requested",
                    Message.run_id == "after",
                    Message.agent_role == "engineer",
                )
            )
        }
    assert after_prompts == {chosen.profile_id}
    answer = reply.payload
    assert isinstance(answer, OptimizeJobCompleted), answer
    assert answer.evaluated == 3 and answer.front
    assert seen.count(f"arena.{RegressionJobRequested.EVENT_TYPE}") == 3
    assert seen.count(f"arena.{RegressionJobCompleted.EVENT_TYPE}") == 3
    verdicts = evaluations(engine, "engineer")
    assert len(verdicts) == 4 and all(o.success in (0.0, 1.0) for _, o, _ in verdicts)
    stages = {p.id: p.stage.value for p in list_profiles(engine, "engineer")}
    assert {stages[pid] for pid in answer.promoted} <= {"candidate", "production"}
    variants = {pid for pid in stages if "-g1." in pid}
    assert len(variants) == 2
    with engine.connect() as conn:
        named = {
            (orjson.loads(body)["payload"].get("prompt") or {}).get("id")
            for (body,) in conn.execute(
                select(Message.body).where(Message.type == "llm.call.requested")
            )
        }
    assert variants <= named  # each variant's own template was the engineer's prompt
    # A restarted optimizer's daily budget starts from what today's batches spent.
    assert spent(engine, SpentQuery(day=datetime.now(UTC).date())).sim_s > 0

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    build_app()
    out = tmp_path / "front.png"
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["optimize", "status", "--plot", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = orjson.loads(result.stdout)
    assert len(shown["profiles"]) == 4 and any(r["front"] for r in shown["profiles"])
    # The job is recorded as an experiment: its variants, their verdicts and its front.
    [experiment] = shown["experiments"]
    assert (experiment["id"], experiment["status"], experiment["evaluated"]) == (
        reply.causation_id, "completed", 3,
    )  # fmt: skip
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["optimize", "status", "--experiment", experiment["id"], "--json"]
    )
    assert result.exit_code == 0, result.output
    tried = orjson.loads(result.stdout)["profiles"]
    assert len(tried) == 3 and {r["profile"] for r in tried} >= variants
    # Latency is each solve's wall time (plan to outcome), never the offline policy's
    # near-zero LLM time rounded away.
    assert all(r["latency_s"] > 0 for r in tried), tried
    front = {m.profile_id for m in answer.front}
    assert {r["profile"] for r in tried if r["front"]} == front
    assert out.read_bytes()[:4] == b"\x89PNG"


async def test_a_solve_whose_template_does_not_render_fails_with_the_reason(
    settings: Settings,
) -> None:
    from arena_core.events.engineer import SolveFailure, SolveJobFailed
    from arena_core.events.llm import PromptRef
    from arena_core.spec import examples

    request = SolveJobRequested(
        benchmark_id=BENCHMARK, spec=examples.ball_to_goal(0), key="broken-template",
        prompt_template="Design {{ spec.nope.deeper }}",
        prompt=PromptRef(id="engineer-9.0.0-x", role="engineer", version="9.0.0"),
    )  # fmt: skip
    async with services_in_process(settings, ("planner", "engineer")) as bus:
        reply = await bus.request(
            Envelope.new(request), [SolveJobCompleted, SolveJobFailed], timeout=120
        )
    failed = reply.payload
    assert isinstance(failed, SolveJobFailed) and failed.reason is SolveFailure.rejected
    assert "template" in failed.detail
