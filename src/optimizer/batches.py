"""Regression batches over the bus: a ``regression.job.requested`` parent and one
``solve.job.requested`` child per benchmark, run by whichever engineering teams are up.

Every child has a deadline; a child with no answer by then (its workers died or hung)
makes the batch a ``regression.job.failed`` with the missing benchmarks named, and the
profile is not promoted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from arena_core.bus import Bus, RequestFailed, RequestTimeout
from arena_core.events import Envelope, Payload
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed, SolveJobRequested
from arena_core.events.llm import PromptRef
from arena_core.events.optimizer import (
    RegressionFailure,
    RegressionJobCompleted,
    RegressionJobFailed,
    RegressionJobRequested,
)
from arena_core.ids import bounded
from optimizer.evaluate import Experiment, Lost, Measured, Solve
from optimizer.observe import Target

Publish = Callable[[Payload], Awaitable[Envelope[Any]]]


class BusEvaluator:
    """Runs each experiment as a batch job with children on the bus."""

    def __init__(
        self,
        bus: Bus,
        emit: Publish,
        targets: dict[str, Target],
        *,
        parent_job_id: str | None,
        run_id: str,
        timeout_s: float,
    ) -> None:
        self.bus = bus
        self.emit = emit
        self.targets = targets
        self.parent_job_id = parent_job_id
        self.run_id = run_id
        self.timeout_s = timeout_s

    async def evaluate(self, experiment: Experiment) -> Measured | Lost:
        ids = [*experiment.targets, *experiment.controls]
        batch = await self.emit(
            RegressionJobRequested(
                profile_id=experiment.profile_id, parent_job_id=self.parent_job_id,
                settings=experiment.settings, targets=experiment.targets,
                controls=experiment.controls, seed=experiment.seed,
            )
        )  # fmt: skip
        answers = await asyncio.gather(*(self._child(batch, experiment, b) for b in ids))
        missing = tuple(b for b, a in zip(ids, answers, strict=True) if a is None)
        if missing:
            await self.emit(
                RegressionJobFailed(
                    profile_id=experiment.profile_id, reason=RegressionFailure.workers_lost,
                    detail=f"{len(missing)} of {len(ids)} solves got no answer in "
                    f"{self.timeout_s:g} s", missing=missing,
                )
            )  # fmt: skip
            return Lost(missing, f"no answer from {', '.join(missing[:5])}")
        measured = Measured(tuple(a for a in answers if a is not None))
        await self.emit(
            RegressionJobCompleted(
                profile_id=experiment.profile_id, objectives=measured.objectives,
                solved=tuple(sorted(measured.solved)),
                failed=tuple(sorted(set(ids) - measured.solved)),
                sim_time_s=round(measured.sim_time_s, 6), cost_usd=round(measured.cost_usd, 6),
            )
        )  # fmt: skip
        return measured

    async def _child(
        self, batch: Envelope[Any], experiment: Experiment, benchmark_id: str
    ) -> Solve | None:
        target = self.targets[benchmark_id]
        request = SolveJobRequested(
            benchmark_id=target.benchmark_id, spec=target.spec, meshes=target.meshes,
            key=bounded(f"{experiment.experiment_id}/{benchmark_id}"),
            parent_job_id=batch.id, rollout_seed=experiment.seed,
            settings=experiment.settings, profile_id=experiment.profile_id,
            **_template(experiment),
        )  # fmt: skip
        envelope = Envelope.new(request, run_id=self.run_id, causation_id=batch.id)
        try:
            reply = await self.bus.request(
                envelope, [SolveJobCompleted, SolveJobFailed], timeout=self.timeout_s
            )
        except RequestTimeout:
            return None
        except RequestFailed:
            return Solve(benchmark_id, solved=False, reasons=("the solve job was rejected",))
        answer = reply.payload
        if isinstance(answer, SolveJobFailed):
            return Solve(benchmark_id, solved=False, reasons=(answer.detail[:500],))
        return Solve(
            benchmark_id, solved=answer.solved, tokens=answer.tokens, cost_usd=answer.cost_usd,
            latency_s=answer.wall_s, simulations=answer.sim_calls,
            sim_time_s=answer.sim_time_s, reasons=answer.reasons,
        )  # fmt: skip


def _template(experiment: Experiment) -> dict[str, Any]:
    """An engineer profile's template travels with each child; other roles' profiles
    change only the settings of a solve."""
    if experiment.role != "engineer":
        return {}
    ref = PromptRef(id=experiment.profile_id, role="engineer", version=experiment.version)
    return {"prompt_template": experiment.template, "prompt": ref}
