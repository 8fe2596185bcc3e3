"""A batch of generation jobs over the bus, with each verdict and the funnel's pass rates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg

from arena_core.bus import Bus
from arena_core.events import Envelope, decode, subject_for
from arena_core.events.benchmark import (
    REVIEW_STAGES,
    BenchmarkJobCompleted,
    BenchmarkJobFailed,
    BenchmarkJobRequested,
    BenchmarkReviewStageCompleted,
    ReviewStage,
    Triviality,
)
from arena_core.ids import new_id


@dataclass
class JobVerdict:
    """How one job of the batch ended."""

    job_id: str
    seed: int
    family: str
    accepted: bool
    attempts: int
    benchmark_id: str | None = None
    spec_sha256: str | None = None
    stage: ReviewStage | None = None
    """Stage the last attempt failed at (rejected jobs)."""
    detail: str = ""
    triviality: Triviality | None = None
    """The random-design statistics of its last review that reached them."""


@dataclass
class StageCount:
    """How many reviews reached a stage and how many passed it."""

    entered: int = 0
    passed: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.entered if self.entered else 0.0


@dataclass
class BatchReport:
    """Every verdict of a batch and the funnel over all its attempts."""

    parent_job_id: str
    verdicts: list[JobVerdict] = field(default_factory=list)
    funnel: dict[ReviewStage, StageCount] = field(
        default_factory=lambda: {s: StageCount() for s in REVIEW_STAGES}
    )
    family_funnels: dict[str, dict[ReviewStage, StageCount]] = field(default_factory=dict)
    """The funnel of each family."""
    trivialities: dict[tuple[str, int], Triviality] = field(default_factory=dict)
    """The latest random-design statistics by (family, seed)."""

    def count(self, stage: BenchmarkReviewStageCompleted) -> None:
        """Count one stage event in the funnel and its family's funnel."""
        family = self.family_funnels.setdefault(
            stage.family, {s: StageCount() for s in REVIEW_STAGES}
        )
        for funnel in (self.funnel, family):
            funnel[stage.stage].entered += 1
            funnel[stage.stage].passed += stage.passed
        if stage.triviality is not None:
            self.trivialities[(stage.family, stage.seed)] = stage.triviality

    @property
    def accepted(self) -> int:
        return sum(v.accepted for v in self.verdicts)

    def acceptance_by_family(self) -> dict[str, float]:
        totals: dict[str, list[int]] = {}
        for v in self.verdicts:
            counts = totals.setdefault(v.family, [0, 0])
            counts[0] += v.accepted
            counts[1] += 1
        return {f: round(a / n, 4) for f, (a, n) in sorted(totals.items())}

    def as_json(self) -> dict[str, Any]:
        return {
            "parent_job_id": self.parent_job_id,
            "accepted": self.accepted,
            "count": len(self.verdicts),
            "benchmarks": [
                {
                    "job_id": v.job_id, "seed": v.seed, "family": v.family,
                    "verdict": "accepted" if v.accepted else "rejected",
                    "attempts": v.attempts, "benchmark_id": v.benchmark_id,
                    "spec_sha256": v.spec_sha256,
                    "stage": v.stage.value if v.stage else None, "detail": v.detail,
                    "random_designs": v.triviality.model_dump() if v.triviality else None,
                }
                for v in self.verdicts
            ],
            "funnel": _funnel_json(self.funnel),
            "funnel_by_family": {
                f: _funnel_json(funnel) for f, funnel in sorted(self.family_funnels.items())
            },
            "acceptance": self.acceptance_by_family(),
        }  # fmt: skip


def _funnel_json(funnel: dict[ReviewStage, StageCount]) -> dict[str, Any]:
    return {
        s.value: {"entered": c.entered, "passed": c.passed, "rate": round(c.rate, 4)}
        for s, c in funnel.items()
    }


async def run_batch(
    bus: Bus,
    *,
    count: int,
    family: str | None = None,
    seed: int = 0,
    difficulty: int = 1,
    max_attempts: int = 3,
    timeout_s: float = 600.0,
    run_id: str | None = None,
    on_verdict: Callable[[JobVerdict], None] | None = None,
) -> BatchReport:
    """Request ``count`` benchmarks (seeds ``seed`` .. ``seed + count - 1``) and await them
    (``on_verdict`` is told of each as it arrives)."""
    parent = new_id()
    run = run_id or parent
    report = BatchReport(parent_job_id=parent)
    stage_subject = subject_for(BenchmarkReviewStageCompleted.EVENT_TYPE)

    async def on_stage(msg: Msg) -> None:
        env = decode(msg.subject, msg.data, msg.headers)
        if env.run_id != run or not isinstance(env.payload, BenchmarkReviewStageCompleted):
            return
        report.count(env.payload)

    sub = await bus.nc.subscribe(stage_subject, cb=on_stage)
    await bus.nc.flush()

    async def one(index: int) -> JobVerdict:
        verdict = await _one(index)
        if on_verdict is not None:
            on_verdict(verdict)
        return verdict

    async def _one(index: int) -> JobVerdict:
        request = BenchmarkJobRequested(
            family=family, seed=seed + index, difficulty=difficulty,
            parent_job_id=parent, max_attempts=max_attempts,
        )  # fmt: skip
        envelope: Envelope[Any] = Envelope.new(request, run_id=run)
        reply = await bus.request(
            envelope, [BenchmarkJobCompleted, BenchmarkJobFailed], timeout=timeout_s
        )
        p = reply.payload
        if isinstance(p, BenchmarkJobCompleted):
            return JobVerdict(
                job_id=envelope.id, seed=p.seed, family=p.family, accepted=True,
                attempts=p.attempts, benchmark_id=p.benchmark_id, spec_sha256=p.spec_sha256,
            )  # fmt: skip
        assert isinstance(p, BenchmarkJobFailed)
        return JobVerdict(
            job_id=envelope.id, seed=p.seed, family=p.family, accepted=False,
            attempts=p.attempts, stage=p.stage, detail=p.detail,
        )  # fmt: skip

    try:
        report.verdicts = list(await asyncio.gather(*(one(i) for i in range(count))))
        # Stage events precede the job's final event on the stream; let the last arrive.
        await bus.nc.flush()
        await asyncio.sleep(0.05)
        for v in report.verdicts:
            v.triviality = report.trivialities.get((v.family, v.seed))
    finally:
        await sub.unsubscribe()
    return report
