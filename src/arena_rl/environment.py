"""One rollout's environment: a benchmark, tools that run on the bus, the sim reward.

TRL builds one instance per concurrent rollout and calls ``reset`` with the dataset row,
then the public methods as tools (their docstrings are the tool schemas), then
``get_reward``. The instance owns a NATS connection on a private event-loop thread, so
its tools are plain synchronous calls.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from arena_core.bus import Bus, RequestFailed
from arena_core.errors import ArenaError
from arena_core.events import Envelope
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.settings import Settings
from arena_core.spec import BenchmarkSpec, Solution
from arena_core.spec.examples import ramp_solution

T = TypeVar("T")

SIM_TIMEOUT_S = 300.0
"""Longest wait for a simulation verdict."""


class EnvironmentNotReady(ArenaError, RuntimeError):
    """The environment cannot run (no bus, no benchmark reset yet)."""


class ArenaEnvironment:
    """A benchmark to solve with ``simulate`` and ``submit``; rewarded by the simrunner."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or Settings()
        if not self._settings.nats_url:
            raise EnvironmentNotReady(
                "the RL environment joins a running stack: set ARENA_NATS_URL"
            )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._bus: Bus | None = None
        self._spec: BenchmarkSpec | None = None
        self._benchmark_id = ""
        self._reward = 0.0
        self._submitted = False
        self.run_id = ""

    # -- TRL's protocol -------------------------------------------------------------

    def reset(self, benchmark_id: str = "", spec: str = "", **_row: Any) -> str:
        """Start a rollout on the row's benchmark; return what the model is told."""
        self._spec = BenchmarkSpec.model_validate_json(spec)
        self._benchmark_id = benchmark_id
        self._reward, self._submitted = 0.0, False
        self.run_id = ""
        example = ramp_solution().model_dump_json()
        return (
            f"\n\nBenchmark {benchmark_id}:\n{spec}\n\n"
            f"A solution is JSON like {example} (parts placed in the build zone)."
        )

    def get_reward(self) -> float:
        """The simrunner's graded reward of the submitted solution (0 without one)."""
        return self._reward

    # -- tools ------------------------------------------------------------------------

    def simulate(self, solution: str) -> str:
        """Simulate a design on every jittered copy of the benchmark (free; not scored).

        Args:
            solution: The design as Solution JSON (parts with name, geometry, pose, material).

        Returns:
            The verdict as JSON: passed, reward, success rate, cost, mass and failures.
        """
        return self._run(solution, preview=True)

    def submit(self, solution: str) -> str:
        """Submit the final design; its simulation verdict is the rollout's reward.

        Args:
            solution: The design as Solution JSON (parts with name, geometry, pose, material).

        Returns:
            The verdict as JSON: passed, reward, success rate, cost, mass and failures.
        """
        if self._submitted:
            return json.dumps({"error": "already submitted: the rollout is over"})
        return self._run(solution, preview=False)

    def __enter__(self) -> ArenaEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        """Close the connection and stop the loop thread (not a tool: TRL skips ``_`` names)."""
        if self._bus is not None:
            self._call(self._bus.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- internals --------------------------------------------------------------------

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _connected(self) -> Bus:
        if self._bus is None:
            from arena_core.container import container_for

            self._bus = container_for(self._settings).bus()
            await self._bus.connect()
        return self._bus

    def _run(self, text: str, *, preview: bool) -> str:
        if self._spec is None:
            raise EnvironmentNotReady("reset the environment with a benchmark first")
        try:
            solution = Solution.model_validate_json(text)
        except ValueError as exc:
            return json.dumps({"error": f"not a valid solution: {str(exc)[:1500]}"})
        answer = self._call(self._simulate(solution, preview))
        if isinstance(answer, str):
            return json.dumps({"error": answer})
        if not preview:
            self._submitted = True
            self._reward = answer.reward.value
        return json.dumps(
            {
                "passed": answer.passed,
                "reward": answer.reward.value,
                "success_rate": answer.metrics.success_rate,
                "cost": answer.scoring.total_cost,
                "mass_kg": answer.scoring.total_mass_kg,
                "failures": [f"{f.kind}: {f.message}" for f in answer.failures[:8]],
                "violations": [v.message for v in answer.scoring.violations[:8]],
            }
        )

    async def _simulate(self, solution: Solution, preview: bool) -> SimJobCompleted | str:
        assert self._spec is not None
        bus = await self._connected()
        request = Envelope.new(
            SimJobRequested(spec=self._spec, solution=solution, preview=preview),
            run_id=self.run_id or None,
        )
        self.run_id = request.run_id  # one run per rollout: its sims gather there
        try:
            reply = await bus.request(
                request, [SimJobCompleted, SimJobFailed], timeout=SIM_TIMEOUT_S
            )
        except (RequestFailed, TimeoutError) as exc:
            return f"no verdict: {exc}"
        if isinstance(reply.payload, SimJobFailed):
            return f"no verdict: {reply.payload.reason}: {reply.payload.detail}"
        payload: SimJobCompleted = reply.payload
        return payload
