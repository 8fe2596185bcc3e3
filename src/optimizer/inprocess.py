"""Regression batches answered by the real offline team running in this process.

The harness that compares search methods (``benchmarks/optimize.py``) shares one
``TeamEvaluator`` between them: every solve is a ``solve.job.requested`` answered by the
planner, engineer, critic and simrunner services (real build123d and MuJoCo) on a bus
the caller started (``arena_core.stack.services_in_process``), with the genome's
settings and template.

The offline team is deterministic, so solves are cached by what changes its decisions:
the settings (the LLM knobs play no part offline; limits that can never bind under the
harness's simulation cap are clipped), the benchmark and the rollout seed. The template
changes only the prompt's length: a cached solve's tokens are corrected by the rendered
template's size difference (one token per four bytes) on every engineer call it made.

``Meter`` is one method's view: it counts every solve the method asks for (cached or
not: without the cache each would be a real solve) as a metric call.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from arena_core.bus import Bus, RequestFailed, RequestTimeout
from arena_core.events import Envelope
from arena_core.events.engineer import (
    SolveFailure,
    SolveJobCompleted,
    SolveJobFailed,
    SolveJobRequested,
)
from arena_core.events.llm import PromptRef
from arena_core.events.profiles import TeamSettings
from arena_core.ids import bounded
from arena_core.llm.templates import PromptRenderError, render_prompt
from arena_core.spec import BenchmarkSpec
from optimizer.evaluate import Experiment, Measured, Solve

HARNESS_PROFILE = PromptRef(id="harness", role="engineer", version="1.0.0")


@dataclass(frozen=True)
class _Cached:
    solve: Solve
    template_bytes: int
    """Size of the rendered template the solve ran with (JSON-encoded, as sent)."""
    engineer_calls: int


def effective(settings: TeamSettings, max_sim_calls: int) -> TeamSettings:
    """The settings as the offline team can feel them under a simulation cap: the LLM
    knobs dropped, ``max_tool_calls`` clipped to the cap, and ``generations`` clipped to
    the most the cap allows (a generation simulates at least ``min(population, 2)``
    designs)."""
    sims = min(settings.max_tool_calls, max_sim_calls)
    most = sims // min(settings.population, 2) + 1
    return settings.model_copy(
        update={
            "model": None, "temperature": None, "max_tool_calls": sims,
            "generations": min(settings.generations, most),
        }
    )  # fmt: skip


class TeamEvaluator:
    """Cached solves by the in-process team; ``real`` counts the ones actually run."""

    def __init__(
        self,
        bus: Bus,
        specs: Mapping[str, BenchmarkSpec],
        *,
        rollout_seed: int = 0,
        max_sim_calls: int = 120,
        parallel: int = 2,
        timeout_s: float = 1800.0,
    ) -> None:
        self.bus = bus
        self.specs = dict(specs)
        self.rollout_seed = rollout_seed
        self.max_sim_calls = max_sim_calls
        self.timeout_s = timeout_s
        self.real = 0
        self.hits = 0
        self.wall_s = 0.0
        self._gate = asyncio.Semaphore(parallel)
        self._cache: dict[tuple[str, str], asyncio.Future[_Cached]] = {}
        self._calls: dict[str, int] = {}
        self._subscription: Any = None

    async def start(self) -> None:
        """Count each conversation's LLM calls (the engineer's, for the token correction)."""

        async def seen(msg: Any) -> None:
            payload = orjson.loads(msg.data).get("payload", {})
            conversation = str(payload.get("conversation_id", ""))
            self._calls[conversation] = self._calls.get(conversation, 0) + 1

        self._subscription = await self.bus.nc.subscribe("arena.llm.call.completed", cb=seen)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    def _rendered_bytes(self, template: str, spec: BenchmarkSpec) -> int:
        system = render_prompt(
            template, spec=spec, family=spec.family, goal_kind=spec.goal.kind, skills=[]
        )
        return len(orjson.dumps(system))

    async def solve(self, settings: TeamSettings, template: str, benchmark_id: str) -> Solve:
        spec = self.specs[benchmark_id]
        try:
            size = self._rendered_bytes(template, spec)
        except PromptRenderError as exc:  # what the engineer would answer, without a solve
            return Solve(benchmark_id, solved=False, reasons=(f"template: {exc}"[:500],))
        knobs = effective(settings, self.max_sim_calls)
        key = (knobs.model_dump_json(), benchmark_id)
        future = self._cache.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._cache[key] = future
            try:
                future.set_result(await self._run(knobs, template, benchmark_id, size))
            except BaseException as exc:
                del self._cache[key]
                future.set_exception(exc)
                raise
        else:
            self.hits += 1
        cached = await asyncio.shield(future)
        delta = round((size - cached.template_bytes) / 4) * cached.engineer_calls
        return replace(cached.solve, tokens=max(cached.solve.tokens + delta, 0))

    async def _run(
        self, knobs: TeamSettings, template: str, benchmark_id: str, size: int
    ) -> _Cached:
        spec = self.specs[benchmark_id]
        digest = hashlib.sha256(f"{knobs.model_dump_json()}/{benchmark_id}".encode()).hexdigest()
        key = f"harness-{digest[:40]}"
        request = SolveJobRequested(
            benchmark_id=benchmark_id, spec=spec, key=key, rollout_seed=self.rollout_seed,
            max_sim_calls=self.max_sim_calls, settings=knobs, prompt_template=template,
            prompt=HARNESS_PROFILE,
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        async with self._gate:
            began = loop.time()
            try:
                reply = await self.bus.request(
                    Envelope.new(request), [SolveJobCompleted, SolveJobFailed],
                    timeout=self.timeout_s,
                )  # fmt: skip
                answer = reply.payload
            except (RequestTimeout, RequestFailed) as exc:
                answer = SolveJobFailed(
                    reason=SolveFailure.rejected, detail=f"no answer: {exc}"[:4000]
                )
            self.wall_s += loop.time() - began
        self.real += 1
        calls = self._calls.pop(bounded(f"engineer-{key}"), 0)
        if isinstance(answer, SolveJobFailed):
            solve = Solve(benchmark_id, solved=False, reasons=(answer.detail[:500],))
        else:
            solve = Solve(
                benchmark_id, solved=answer.solved, tokens=answer.tokens,
                cost_usd=answer.cost_usd, latency_s=answer.wall_s,
                simulations=answer.sim_calls, sim_time_s=answer.sim_time_s,
                reasons=answer.reasons,
            )  # fmt: skip
        return _Cached(solve, size, calls)


class Meter:
    """One method's view of a shared ``TeamEvaluator``: ``solves`` counts its metric calls."""

    def __init__(self, team: TeamEvaluator) -> None:
        self.team = team
        self.solves = 0

    async def run(self, settings: TeamSettings, template: str, ids: Sequence[str]) -> list[Solve]:
        self.solves += len(ids)
        return list(await asyncio.gather(*(self.team.solve(settings, template, b) for b in ids)))

    async def evaluate(self, experiment: Experiment) -> Measured:
        ids = [*experiment.targets, *experiment.controls]
        return Measured(tuple(await self.run(experiment.settings, experiment.template, ids)))
