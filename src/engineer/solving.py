"""Running solves: requests over the bus, answered by the team (``TEAM``).

async with services_in_process(settings, TEAM) as bus:
    done = await solve(bus, request_for(SolveTarget.example("ball_to_goal")))
"""

from __future__ import annotations

from collections.abc import Sequence

from arena_core.bus import Bus, RequestFailed
from arena_core.events import Envelope
from arena_core.events.engineer import (
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
)
from arena_core.events.selection import BenchmarkSelection
from arena_core.ids import new_id
from arena_core.library import Target as SolveTarget
from arena_core.library import UnknownBenchmark
from arena_core.query import SelectionQuery, TargetsQuery, ask

TEAM = ("simrunner", "planner", "engineer", "critic")
"""The services a solve needs (``services_in_process`` adds the recorder, which keeps the
plans and skills and shares them with every node)."""


async def resolve(bus: Bus, ids: Sequence[str], latest: int | None) -> list[SolveTarget]:
    """Benchmarks by id (library ids, id prefixes, ``example:<name>[:seed]``), then the
    newest ``latest``, asked of the recording over NATS; ``UnknownBenchmark`` for an id
    that names none (or several)."""
    asked = []
    if ids:
        asked.append(BenchmarkSelection(benchmark_ids=tuple(ids)))
    if latest:
        asked.append(BenchmarkSelection(latest=latest))
    chosen: list[str] = []
    for selection in asked:
        answer = await ask(bus, SelectionQuery(selection=selection))
        if answer.rejected:
            raise UnknownBenchmark(answer.rejected[0].detail)
        chosen += [b.benchmark_id for b in answer.benchmarks]
    if not chosen:
        return []
    found = await ask(bus, TargetsQuery(benchmark_ids=tuple(chosen)))
    return [SolveTarget(t.benchmark_id, t.spec, t.meshes) for t in found.targets]


def request_for(
    target: SolveTarget,
    *,
    key: str | None = None,
    parent_job_id: str | None = None,
    max_submissions: int = 3,
    max_sim_calls: int = 120,
    rollout_seed: int = 0,
) -> SolveJobRequested:
    return SolveJobRequested(
        benchmark_id=target.benchmark_id,
        spec=target.spec,
        meshes=target.meshes,
        key=key or new_id(),
        parent_job_id=parent_job_id,
        max_submissions=max_submissions,
        max_sim_calls=max_sim_calls,
        rollout_seed=rollout_seed,
    )


async def solve(
    bus: Bus, request: SolveJobRequested, *, run_id: str | None = None, timeout: float = 900.0
) -> SolveJobCompleted | SolveJobFailed:
    """Publish a solve job and wait for its answer."""
    envelope = Envelope.new(request, run_id=run_id)
    try:
        reply = await bus.request(envelope, [SolveJobCompleted, SolveJobFailed], timeout=timeout)
    except RequestFailed as exc:
        return SolveJobFailed(reason=SolveFailure.rejected, detail=str(exc)[:4000])
    return reply.payload  # type: ignore[no-any-return]


async def running_services(nats_url: str) -> set[str]:
    """Names of the services answering health on this NATS server."""
    from arena_core.stack import probe_health

    return {h.service for h in await probe_health(nats_url, wait_s=0.5) if h.status == "running"}
