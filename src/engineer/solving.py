"""Running solves: requests over the bus, answered by the team (``TEAM``).

async with services_in_process(settings, TEAM) as bus:
    done = await solve(bus, request_for(SolveTarget.example("ball_to_goal")))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from arena_core.bus import Bus, RequestFailed
from arena_core.events import Envelope
from arena_core.events.engineer import (
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
)
from arena_core.events.sim import MeshBlob
from arena_core.ids import new_id
from arena_core.library import UnknownBenchmark, find_benchmarks
from arena_core.settings import Settings
from arena_core.spec import BenchmarkSpec

TEAM = ("simrunner", "planner", "engineer", "critic")
"""The services a solve needs (``services_in_process`` adds the recorder, which keeps the
plans and skills and shares them with every node)."""


@dataclass(frozen=True)
class SolveTarget:
    """A benchmark as the team may see it: id, spec and scene meshes (no reference)."""

    benchmark_id: str
    spec: BenchmarkSpec
    meshes: tuple[MeshBlob, ...] = ()

    @classmethod
    def example(cls, name: str, seed: int = 0) -> SolveTarget:
        from arena_core.spec import examples

        make = getattr(examples, name, None)
        if make is None or name.startswith("_") or not callable(make):
            raise UnknownBenchmark(f"no example {name!r}; the examples: ball_to_goal")
        spec = make(seed)
        if not isinstance(spec, BenchmarkSpec):
            raise UnknownBenchmark(f"{name!r} is not a benchmark example")
        return cls(f"example:{name}:{seed}", spec)


def resolve(settings: Settings, ids: Sequence[str], latest: int | None) -> list[SolveTarget]:
    """Benchmarks by id (library ids, id prefixes, ``example:<name>[:seed]``) or the latest N."""
    targets: list[SolveTarget] = []
    library = [i for i in ids if not i.startswith("example:")]
    found = iter(
        find_benchmarks(settings.database_path, library, latest) if library or latest else []
    )
    for id in ids:
        if id.startswith("example:"):
            name, _, seed = id.removeprefix("example:").partition(":")
            targets.append(SolveTarget.example(name, int(seed or 0)))
        else:
            entry = next(found)
            targets.append(SolveTarget(entry.benchmark_id, entry.spec, entry.meshes))
    targets += [SolveTarget(e.benchmark_id, e.spec, e.meshes) for e in found]
    return targets


def row_target(row: Any) -> SolveTarget:
    """The solve target of a library row (``arena_core.db.benchmarks.LibraryBenchmark``)."""
    meshes = tuple(MeshBlob.model_validate(m) for m in orjson.loads(row.meshes))
    return SolveTarget(row.benchmark_id, BenchmarkSpec.model_validate_json(row.spec), meshes)


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
