"""Reading one chunk of a copy's trajectory against the spec: the judge of a sim job.

After each rollout chunk the recorded states and sensors of every copy are checked in
bulk (NaN, runaway, bounds, forbid zones, motor saturation, the goal); the first failure
or a held goal ends the copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mujoco
import numpy as np
from numpy.typing import NDArray

from arena_core.events.sim import SimFailure, SimFailureKind
from arena_core.spec import BenchmarkSpec, Pose
from simrunner import engine
from simrunner.limits import Limits
from simrunner.mjcf import BuiltScene
from simrunner.stability import first_unstable

Fail = SimFailureKind


def _runs(condition: NDArray[np.bool_], carry: int) -> NDArray[np.int64]:
    """Length of the run of True ending at each index, continuing a run of ``carry``."""
    index = np.arange(len(condition))
    last_false = np.maximum.accumulate(np.where(condition, -1, index))
    runs = index - last_false
    return np.where(last_false < 0, runs + carry, runs).astype(np.int64)


def _first(mask: NDArray[np.bool_]) -> int | None:
    return int(np.argmax(mask)) if mask.any() else None


@dataclass
class Copy:
    index: int
    start: Pose
    state: NDArray[np.float64]
    goal_run: int = 0
    overload_runs: dict[int, int] = field(default_factory=dict)
    steps: int = 0
    done: bool = False
    time_to_goal: float | None = None
    failures: list[SimFailure] = field(default_factory=list)
    max_penetration: float = 0.0


class Judge:
    """Reads one chunk of one copy's trajectory against the spec."""

    def __init__(
        self, spec: BenchmarkSpec, scene: BuiltScene, model: mujoco.MjModel, limits: Limits
    ) -> None:
        self.spec, self.scene, self.model, self.limits = spec, scene, model, limits
        self.layout = engine.layout(model)
        dt = model.opt.timestep
        self.dt = dt
        goal = spec.goal
        self.hold_steps = max(1, math.ceil(goal.hold_s / dt - 1e-9))
        self.free = [
            (name, int(model.jnt_qposadr[model.joint(name).id])) for name in scene.dynamic_bodies
        ]
        self.payload_adr = dict(self.free)[f"dynamic/{goal.object}"]
        self.n_forbid = len(scene.forbid_sensors)
        self.force_limits = np.array(
            [limits.overload_fraction * m.torque_limit / m.gear for m in spec.motors]
        )
        self.overload_steps = max(1, math.ceil(limits.overload_s / dt))

    def chunk(self, copy: Copy, states: NDArray[np.float64], sensors: NDArray[np.float64]) -> None:
        spec, lay = self.spec, self.layout
        t0 = float(copy.state[lay.time])
        times = states[:, lay.time]
        events: list[tuple[int, SimFailure]] = []

        def fail(step: int, kind: SimFailureKind, message: str, *subjects: str) -> None:
            events.append(
                (
                    step,
                    SimFailure(
                        kind=kind,
                        message=message,
                        copy_index=copy.index,
                        subjects=subjects,
                        time_s=round(t0 + (step + 1) * self.dt, 9),
                    ),
                )
            )

        unstable = first_unstable(states, lay, self.limits.max_speed, t0)
        horizon = len(states) if unstable is None else unstable[0]
        if unstable is not None:
            fail(unstable[0], Fail.unstable_simulation, unstable[1])
        qpos = states[:horizon, lay.qpos]
        low, high = np.array(spec.bounds.low), np.array(spec.bounds.high)
        for name, adr in self.free:
            pos = qpos[:, adr : adr + 3]
            outside = np.asarray(((pos < low) | (pos > high)).any(axis=1))
            step = _first(outside)
            if step is not None:
                fail(step, Fail.out_of_bounds, f"{name} left the world bounds", name)
        if self.n_forbid:
            touching = sensors[:horizon, : self.n_forbid] <= self.limits.forbid_touch_m
            for column, (zone, body) in enumerate(self.scene.forbid_sensors):
                step = _first(touching[:, column])
                if step is not None:
                    fail(step, Fail.forbid_zone, f"{body} touched forbid zone {zone}", body, zone)
        for i, motor in enumerate(spec.motors):
            force = np.abs(sensors[:horizon, self.n_forbid + i])
            runs = _runs(force >= self.force_limits[i], copy.overload_runs.get(i, 0))
            copy.overload_runs[i] = int(runs[-1]) if len(runs) else 0
            step = _first(runs >= self.overload_steps)
            if step is not None:
                fail(
                    step,
                    Fail.motor_overload,
                    f"motor {motor.label} stayed above "
                    f"{self.limits.overload_fraction:.0%} of its torque limit for "
                    f"{self.limits.overload_s:g} s",
                    motor.label,
                )

        payload = qpos[:, self.payload_adr : self.payload_adr + 3]
        goal = spec.goal
        met: NDArray[np.bool_]
        if goal.kind == "reach_zone":
            box = goal.zone
            inside = (payload >= np.array(box.low)) & (payload <= np.array(box.high))
            met = np.asarray(inside.all(axis=1))
        else:
            met = payload[:, 2] >= goal.height
        runs = _runs(met, copy.goal_run)
        copy.goal_run = int(runs[-1]) if len(runs) else 0
        success = _first(runs >= self.hold_steps)

        first_failure = min((s for s, _ in events), default=None)
        if first_failure is not None and (success is None or first_failure <= success):
            copy.failures.extend(
                f for s, f in sorted(events, key=lambda e: e[0]) if s == first_failure
            )
            end = first_failure + 1
            copy.done = True
        elif success is not None:
            copy.time_to_goal = round(float(times[success]), 9)
            end = success + 1
            copy.done = True
        else:
            end = len(states)
        copy.steps += end
        copy.state = states[end - 1]
