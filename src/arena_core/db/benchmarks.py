"""The benchmark library: one row per accepted benchmark, derived from the log.

``fold`` is the benchmarks projection (``db/projections/benchmarks.py``); it keeps
``benchmark.created`` as a library row (the spec solvers see, no reference, and how
often random designs solved it), marks the row when its ``benchmark.reference.recorded``
arrives, and keeps the latest ``benchmark.calibrated`` figures (measured difficulty).
``rebuild`` empties the table with the other projections and folds the log again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Index, Table, select, update
from sqlmodel import Field, SQLModel

from arena_core.db.once import insert_once
from arena_core.events import Envelope
from arena_core.events.benchmark import BenchmarkCreated, BenchmarkReferenceRecorded
from arena_core.events.calibration import BenchmarkCalibrated
from arena_core.spec import BenchmarkSpec


class LibraryBenchmark(SQLModel, table=True):
    """Projection: an accepted benchmark, as solvers may see it."""

    __tablename__ = "benchmarks"
    __table_args__ = (Index("ix_benchmarks_family_seed", "family", "seed"),)

    benchmark_id: str = Field(primary_key=True)
    """``<family>-<first 16 hex of spec_sha256>``."""
    family: str
    """Family that produced it."""
    seed: int
    """Seed of the family's parameters."""
    difficulty: int
    """1 (easy) to 5 (hard)."""
    spec_sha256: str = Field(index=True)
    """Hash of the spec's canonical JSON."""
    spec: str
    """The spec as JSON (no reference solution in it)."""
    meshes: str = "[]"
    """The scene's inline meshes (``MeshBlob`` list) as JSON."""
    scene_code_sha256: str
    """Artifact of the scene's CAD script."""
    mjcf_sha256: str
    """Artifact of the validated MJCF scene."""
    attempts: int
    """Code submissions it took."""
    policy: str
    """Who wrote the code (``offline``, ``anthropic``, ``replay``)."""
    job_id: str | None = Field(default=None, index=True)
    """The ``benchmark.job.requested`` that produced it."""
    run_id: str
    """Run of that job."""
    created_seq: int
    """Stream sequence of ``benchmark.created``."""
    created_at: datetime
    """Timestamp of ``benchmark.created``."""
    reference_seq: int | None = None
    """Stream sequence of ``benchmark.reference.recorded`` (the reference itself is not here)."""
    random_designs: int | None = None
    """N random designs the reviewer simulated (``None``: not checked)."""
    random_passes: int | None = None
    """How many of them met the goal on every copy."""
    random_pass_rate: float | None = None
    """random_passes / random_designs."""
    calibrated_seq: int | None = None
    """Stream sequence of the latest ``benchmark.calibrated`` (``None``: never measured)."""
    rollouts: int | None = None
    """K of the latest calibration."""
    calibration_budget: int | None = None
    """Simulation budget of each rollout of the latest calibration."""
    pass_at_1: float | None = None
    """Measured: the share of rollouts that solved it."""
    pass_at_k: float | None = None
    """Measured: 1 when any rollout solved it."""
    auccess: float | None = None
    """Measured: the weighted area under its success-vs-simulations curve."""


benchmarks = cast(Table, LibraryBenchmark.__table__)  # type: ignore[attr-defined]


def fold(conn: Connection, seq: int, env: Envelope[Any]) -> None:
    """Apply one event to the library (other events are ignored)."""
    p = env.payload
    if isinstance(p, BenchmarkCreated):
        insert_once(
            conn, benchmarks, benchmark_id=p.benchmark_id, family=p.spec.family, seed=p.spec.seed,
            difficulty=p.spec.difficulty, spec_sha256=p.spec_sha256, spec=p.spec.model_dump_json(),
            meshes=orjson.dumps([m.model_dump(mode="json") for m in p.meshes]).decode(),
            scene_code_sha256=p.scene_code.sha256, mjcf_sha256=p.mjcf.sha256, attempts=p.attempts,
            policy=p.policy, job_id=env.causation_id, run_id=env.run_id, created_seq=seq,
            created_at=env.ts, random_designs=p.triviality.designs if p.triviality else None,
            random_passes=p.triviality.passes if p.triviality else None,
            random_pass_rate=p.triviality.rate if p.triviality else None,
        )  # fmt: skip
    elif isinstance(p, BenchmarkReferenceRecorded):
        conn.execute(
            update(benchmarks)
            .where(benchmarks.c.benchmark_id == p.benchmark_id)
            .where(benchmarks.c.reference_seq.is_(None))
            .values(reference_seq=seq)
        )
    elif isinstance(p, BenchmarkCalibrated):
        conn.execute(
            update(benchmarks)
            .where(benchmarks.c.benchmark_id == p.benchmark_id)
            .values(
                calibrated_seq=seq, rollouts=p.rollouts, calibration_budget=p.max_sim_calls,
                pass_at_1=p.pass_at_1, pass_at_k=p.pass_at_k, auccess=p.auccess,
            )
        )  # fmt: skip


def library(conn: Connection, family: str | None = None) -> list[LibraryBenchmark]:
    """Accepted benchmarks in creation order, optionally of one family."""
    query = select(benchmarks).order_by(benchmarks.c.created_seq)
    if family is not None:
        query = query.where(benchmarks.c.family == family)
    return [LibraryBenchmark.model_validate(row._asdict()) for row in conn.execute(query)]


def load_spec(row: LibraryBenchmark) -> BenchmarkSpec:
    """The typed spec of a library row."""
    return BenchmarkSpec.model_validate_json(row.spec)
