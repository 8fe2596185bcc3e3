"""Stability from rest and motor effectiveness, checked on every step of a rollout."""

from __future__ import annotations

import math
import time

import mujoco
import numpy as np
from numpy.typing import NDArray

from arena_core.events.sim import ValidationFailure, ValidationFailureKind
from simrunner import engine
from simrunner.limits import Limits

Kind = ValidationFailureKind
CHUNK = 500
"""Steps per rollout call: long enough that per-call checks cost little."""


def first_unstable(
    states: NDArray[np.float64],
    layout: engine.StateLayout,
    max_speed: float,
    previous_time: float,
) -> tuple[int, str] | None:
    """Index of the first bad step of one trajectory (steps x nstate) and why, or ``None``.

    Bad: a non-finite value, time not advancing (MuJoCo stalls or resets after bad
    accelerations), or a velocity beyond ``max_speed``.
    """
    finite = np.asarray(np.isfinite(states).all(axis=1))
    times = states[:, layout.time]
    stalled = np.diff(np.concatenate(([previous_time], times))) <= 0
    speed = np.abs(states[:, layout.qvel]).max(axis=1) if layout.nv else np.zeros(len(states))
    runaway = speed > max_speed
    bad = ~finite | stalled | runaway
    if not bad.any():
        return None
    step = int(np.argmax(bad))
    if not finite[step]:
        return step, "the state became non-finite (NaN or infinity)"
    if stalled[step]:
        return step, "time stopped advancing: MuJoCo rejected the accelerations as bad"
    return step, f"runaway velocity: |qvel| reached {speed[step]:.3g} (limit {max_speed:g})"


def kinetic_energy(model: mujoco.MjModel, data: mujoco.MjData, state: NDArray[np.float64]) -> float:
    engine.set_state(model, data, state)
    mujoco.mj_forward(model, data)
    mujoco.mj_energyVel(model, data)
    return float(data.energy[1])


def energy_limit(model: mujoco.MjModel, limits: Limits) -> float:
    """Kinetic energy of the whole model moving at the speed limit."""
    return 0.5 * float(model.body_mass.sum()) * limits.max_speed**2


def check_stability(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    start: NDArray[np.float64],
    limits: Limits,
    deadline: float,
) -> tuple[list[ValidationFailure], int]:
    """Simulate ``limits.validate_frames`` frames from ``start`` with zero control."""
    lay = engine.layout(model)
    bad_qacc = int(mujoco.mjtWarning.mjWARN_BADQACC)
    warned = int(data.warning[bad_qacc].number)
    state = start
    done = 0
    e_limit = energy_limit(model, limits)
    while done < limits.validate_frames:
        if time.monotonic() > deadline:
            return [
                ValidationFailure(
                    kind=Kind.resource_limit,
                    message=f"stability check exceeded the {limits.wall_limit_s:g} s time limit "
                    f"after {done} frames",
                )
            ], done
        n = min(CHUNK, limits.validate_frames - done)
        states, _ = engine.run(model, data, state, n)
        trajectory = states[0]
        found = first_unstable(trajectory, lay, limits.max_speed, float(state[lay.time]))
        if found is not None:
            step, why = found
            t = float(state[lay.time]) + (step + 1) * model.opt.timestep
            return [
                ValidationFailure(
                    kind=Kind.unstable_simulation,
                    message=f"{why} at frame {done + step + 1}",
                    time_s=t,
                )
            ], done + step + 1
        if int(data.warning[bad_qacc].number) > warned:
            return [
                ValidationFailure(
                    kind=Kind.unstable_simulation,
                    message="MuJoCo reported bad accelerations and reset the state",
                    time_s=float(trajectory[-1, 0]),
                )
            ], done + n
        energy = kinetic_energy(model, data, trajectory[-1])
        if not math.isfinite(energy) or energy > e_limit:
            return [
                ValidationFailure(
                    kind=Kind.unstable_simulation,
                    message=f"runaway energy: kinetic energy {energy:.3g} J "
                    f"exceeds {e_limit:.3g} J",
                    time_s=float(trajectory[-1, 0]),
                )
            ], done + n
        state = trajectory[-1]
        done += n
    return [], done


def _probe_values(model: mujoco.MjModel, actuator: int) -> tuple[float, float]:
    if model.actuator_ctrllimited[actuator]:
        low, high = (float(v) for v in model.actuator_ctrlrange[actuator])
        return low, high
    return -1.0, 1.0


def check_motors(
    model: mujoco.MjModel, data: mujoco.MjData, start: NDArray[np.float64], limits: Limits
) -> list[ValidationFailure]:
    """Drive each actuator to both ends of its range; fail those that move nothing."""
    if model.nu == 0:
        return []
    nstep = max(1, math.ceil(limits.motor_probe_s / model.opt.timestep))
    controls = np.zeros((1 + 2 * model.nu, nstep, model.nu))
    for a in range(model.nu):
        low, high = _probe_values(model, a)
        controls[1 + 2 * a, :, a] = low
        controls[2 + 2 * a, :, a] = high
    initial = np.repeat(start[None], len(controls), axis=0)
    states, _ = engine.run(model, data, initial, nstep, controls)
    qpos = states[:, :, engine.layout(model).qpos]
    baseline = qpos[0]
    failures = []
    for a in range(model.nu):
        probes = qpos[1 + 2 * a : 3 + 2 * a]
        with np.errstate(invalid="ignore"):
            motion = np.nan_to_num(np.abs(probes - baseline), nan=np.inf).max(initial=0.0)
        if motion < limits.motor_min_motion:
            name = engine.object_name(model, mujoco.mjtObj.mjOBJ_ACTUATOR, a)
            failures.append(
                ValidationFailure(
                    kind=Kind.motor_ineffective,
                    message=f"actuator {name} moves nothing: driving it to "
                    f"{_probe_values(model, a)} "
                    f"for {limits.motor_probe_s:g} s changes no joint by more than "
                    f"{limits.motor_min_motion:g}",
                    subjects=(name,),
                )
            )
    return failures
