"""Experiments through the API: an optimize job's variants, verdicts, front and lineage,
folded by the recorder from the optimizer's events and identical after a rebuild."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db.experiments import experiment_variants, experiments
from arena_core.db.projections.projector import rebuild
from arena_core.events import Envelope, Payload
from arena_core.events.optimizer import (
    FrontMember,
    GuardName,
    GuardRejected,
    OptimizeJobCompleted,
    OptimizeJobRequested,
)
from arena_core.events.profiles import Objectives, ProfileEvaluated, ProfileStageMoved, Stage
from arena_core.profiles import new_profile, packaged_profile
from tests.api.conftest import Server
from tests.recorder.recording import settle

CHEAP = Objectives(success=0.5, cost_usd=0.0, tokens=10, latency_s=1.0, simulations=4)
GOOD = Objectives(success=1.0, cost_usd=0.0, tokens=30, latency_s=2.0, simulations=9)


def _verdict(pid: str, objectives: Objectives, passed: bool) -> ProfileEvaluated:
    return ProfileEvaluated(
        profile_id=pid, experiment_id=f"x/{pid}", objectives=objectives, targets=2,
        targets_solved=int(objectives.success * 2), controls=1,
        controls_lost=() if passed else ("example:ball_to_goal:9",), passed=passed,
    )  # fmt: skip


def _tables(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return [
            sorted(tuple(r) for r in conn.execute(select(t)))
            for t in (experiments, experiment_variants)
        ]


async def test_an_optimize_job_is_an_experiment_with_points_front_and_lineage(
    api: Server, bus: Bus, engine: Engine
) -> None:
    base = packaged_profile("engineer")
    a = new_profile("engineer", "1.1.0-g1.a", base.sections, parent_ids=(base.id,))
    b = new_profile("engineer", "1.1.0-g1.b", base.sections, parent_ids=(base.id, a.profile_id))
    c = new_profile("engineer", "1.1.0-g1.c", base.sections, parent_ids=(base.id,))
    d = new_profile("engineer", "1.1.0-g1.d", base.sections, parent_ids=(base.id,))
    job = Envelope.new(OptimizeJobRequested(generations=1, population=4, seed=7))
    caused: list[Payload] = [
        a, b, c, d,
        _verdict(base.id, CHEAP, True),
        _verdict(a.profile_id, GOOD, True),
        _verdict(b.profile_id, GOOD, False),
        GuardRejected(profile_id=c.profile_id, guard=GuardName.sanity, problems=("empty",)),
        ProfileStageMoved(profile_id=d.profile_id, stage=Stage.archived, reason="lost 1 solves"),
        ProfileStageMoved(profile_id=a.profile_id, stage=Stage.candidate),
        OptimizeJobCompleted(
            role="engineer", generations=1, evaluated=3, promoted=(a.profile_id,),
            front=(
                FrontMember(profile_id=base.id, objectives=CHEAP),
                FrontMember(
                    profile_id=a.profile_id, parent_ids=(base.id,), objectives=GOOD, promoted=True
                ),
            ),
        ),
    ]  # fmt: skip
    await bus.publish(job)
    for payload in caused:
        await bus.publish(job.follow(payload))
    await bus.publish(Envelope.new(_verdict("engineer-elsewhere", GOOD, True)))  # no experiment
    await settle(bus, engine)

    async with api.client("read") as reader:
        listed = (await reader.get("/experiments?role=engineer")).json()["experiments"]
        assert [(e["id"], e["status"], e["evaluated"], e["seed"]) for e in listed] == [
            (job.id, "completed", 3, 7)
        ]
        got = await reader.get(f"/experiments/{job.id}")
        assert got.status_code == 200, got.text
        points = {p["profile_id"]: p for p in got.json()["points"]}
        missing = await reader.get("/experiments/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
    assert set(points) == {base.id, a.profile_id, b.profile_id, c.profile_id, d.profile_id}
    verdicts = {pid: p["verdict"] for pid, p in points.items()}
    assert verdicts == {
        base.id: "passed", a.profile_id: "passed", b.profile_id: "lost_control",
        c.profile_id: "rejected", d.profile_id: "lost_solves",
    }  # fmt: skip
    assert points[b.profile_id]["parent_ids"] == [base.id, a.profile_id]
    assert points[b.profile_id]["controls_lost"] == ["example:ball_to_goal:9"]
    assert points[a.profile_id]["stage"] == "candidate"
    assert (points[a.profile_id]["success"], points[a.profile_id]["simulations"]) == (1.0, 9.0)
    assert {pid for pid, p in points.items() if p["front"]} == {base.id, a.profile_id}
    assert {pid for pid, p in points.items() if p["promoted"]} == {a.profile_id}

    before = _tables(engine)
    rebuild(engine)
    assert _tables(engine) == before
