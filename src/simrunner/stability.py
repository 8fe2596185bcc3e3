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
"""Most steps per rollout call: long enough that per-call checks cost little."""
CALL_S = 0.5
"""Wall time one rollout call should take at most, so deadlines are checked often."""
_FIRST_CALL = 20


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
    chunk = _FIRST_CALL
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
        n = min(chunk, limits.validate_frames - done)
        began = time.monotonic()
        states, _ = engine.run(model, data, state, n)
        per_step = (time.monotonic() - began) / n
        chunk = max(1, min(CHUNK, int(CALL_S / per_step) if per_step > 0 else CHUNK))
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


SHORT_PROBE_STEPS = 10
"""Steps of the first, short motor probe. Nearly every working actuator moves its joints
within them; only the ones that do not are probed for the whole ``motor_probe_s`` (a
short probe is a prefix of the long one, so the verdicts are the same)."""
_PROBE_BATCH = 8


def check_motors(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    start: NDArray[np.float64],
    limits: Limits,
    deadline: float,
) -> list[ValidationFailure]:
    """Drive each actuator to both ends of its range; fail those that move nothing.

    The probes run in batches; past ``deadline`` the rest are skipped with a
    ``resource_limit`` failure (actuators already found ineffective are kept).
    """
    if model.nu == 0:
        return []
    full = max(1, math.ceil(limits.motor_probe_s / model.opt.timestep))
    idle = list(range(model.nu))
    for nstep in sorted({min(SHORT_PROBE_STEPS, full), full}):
        rest, _ = engine.run(model, data, start, nstep, np.zeros((1, nstep, model.nu)))
        baseline = rest[0, :, engine.layout(model).qpos]
        still: list[int] = []
        for first in range(0, len(idle), _PROBE_BATCH):
            if time.monotonic() > deadline:
                found = [_ineffective(model, a, limits) for a in still] if nstep == full else []
                return [*found, _motors_out_of_time(limits, model.nu - len(idle) + first, model.nu)]
            batch = idle[first : first + _PROBE_BATCH]
            still += _idle_actuators(model, data, start, limits, nstep, batch, baseline)
        idle = still
        if not idle:
            break
    return [_ineffective(model, a, limits) for a in idle]


def _motors_out_of_time(limits: Limits, checked: int, total: int) -> ValidationFailure:
    return ValidationFailure(
        kind=Kind.resource_limit,
        message=f"motor check exceeded the {limits.wall_limit_s:g} s time limit "
        f"after {checked} of {total} actuators",
    )


def _idle_actuators(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    start: NDArray[np.float64],
    limits: Limits,
    nstep: int,
    actuators: list[int],
    baseline: NDArray[np.float64],
) -> list[int]:
    """The ``actuators`` that move no joint by ``motor_min_motion`` within ``nstep`` steps."""
    controls = np.zeros((2 * len(actuators), nstep, model.nu))
    for i, a in enumerate(actuators):
        low, high = _probe_values(model, a)
        controls[2 * i, :, a] = low
        controls[2 * i + 1, :, a] = high
    initial = np.repeat(start[None], len(controls), axis=0)
    states, _ = engine.run(model, data, initial, nstep, controls)
    qpos = states[:, :, engine.layout(model).qpos]
    idle = []
    for i, a in enumerate(actuators):
        probes = qpos[2 * i : 2 * i + 2]
        with np.errstate(invalid="ignore"):
            motion = np.nan_to_num(np.abs(probes - baseline), nan=np.inf).max(initial=0.0)
        if motion < limits.motor_min_motion:
            idle.append(a)
    return idle


def _ineffective(model: mujoco.MjModel, actuator: int, limits: Limits) -> ValidationFailure:
    name = engine.object_name(model, mujoco.mjtObj.mjOBJ_ACTUATOR, actuator)
    return ValidationFailure(
        kind=Kind.motor_ineffective,
        message=f"actuator {name} moves nothing: driving it to "
        f"{_probe_values(model, actuator)} "
        f"for {limits.motor_probe_s:g} s changes no joint by more than "
        f"{limits.motor_min_motion:g}",
        subjects=(name,),
    )
