"""Resolving a batch job's selection by asking the recording, and reporting what names
nothing (one ``batch.selection.rejected`` each; the rest of the batch goes on)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from arena_core.events.selection import (
    MAX_CHILDREN,
    BatchFailure,
    BatchJobFailed,
    BenchmarkSelection,
    SelectionRejected,
)
from arena_core.query import (
    QueryFailed,
    SelectedBenchmark,
    SelectionQuery,
    ask,
)
from batcher.children import REJECTION_SLOT, Batch

T = TypeVar("T")
F = TypeVar("F", bound=BatchJobFailed)


@dataclass(frozen=True)
class Chosen:
    """The benchmarks to run and what of the selection was rejected."""

    benchmarks: tuple[SelectedBenchmark, ...]
    rejected: tuple[SelectionRejected, ...]


@dataclass(frozen=True)
class NothingToRun:
    """Why the batch runs nothing."""

    reason: BatchFailure
    detail: str
    rejected: tuple[SelectionRejected, ...] = ()

    def failure(self, answer: type[F]) -> F:
        """The job's ``answer`` saying so."""
        return answer(reason=self.reason, rejected=self.rejected, detail=self.detail)


def selection_of(request: BenchmarkSelection) -> BenchmarkSelection:
    """The selection part of a job request."""
    fields = set(BenchmarkSelection.model_fields)
    return BenchmarkSelection.model_validate(request.model_dump(include=fields))


async def resolve(batch: Batch, request: BenchmarkSelection, k: int) -> Chosen | NothingToRun:
    """The benchmarks ``request`` selects (``k`` children each); publishes the rejections."""
    try:
        answer = await ask(batch.bus, SelectionQuery(selection=selection_of(request)))
    except QueryFailed as exc:
        return NothingToRun(BatchFailure.recording_unreachable, str(exc)[:4000])
    for n, rejected in enumerate(answer.rejected):
        await batch.emit(rejected, REJECTION_SLOT + n)
    if not answer.benchmarks:
        said = "; ".join(r.detail for r in answer.rejected)
        detail = f"no benchmark matches the selection{': ' + said if said else ''}"
        return NothingToRun(BatchFailure.no_benchmarks, detail[:4000], answer.rejected)
    if len(answer.benchmarks) * k > MAX_CHILDREN:
        return NothingToRun(
            BatchFailure.too_large,
            f"{len(answer.benchmarks)} benchmarks x {k} rollouts is more than "
            f"{MAX_CHILDREN} child solves; narrow the selection or lower K",
            answer.rejected,
        )
    return Chosen(answer.benchmarks, answer.rejected)


async def run_selected(
    batch: Batch,
    request: BenchmarkSelection,
    k: int,
    run: Callable[[int, SelectedBenchmark], Awaitable[T]],
) -> tuple[Chosen, list[T]] | NothingToRun:
    """Resolve the selection (``k`` children a benchmark) and ``run`` every benchmark of
    it at once, with its index; what each run answered, in the selection's order."""
    chosen = await resolve(batch, request, k)
    if isinstance(chosen, NothingToRun):
        return chosen
    found = await asyncio.gather(*(run(i, b) for i, b in enumerate(chosen.benchmarks)))
    return chosen, list(found)
