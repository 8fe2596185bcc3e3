"""MuJoCo plumbing shared by validation and simulation: compiling, warnings, rollouts."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mujoco
import numpy as np
from mujoco import rollout
from numpy.typing import NDArray

from arena_core.errors import ArenaError

log = logging.getLogger("simrunner.mujoco")

STATE = mujoco.mjtState.mjSTATE_FULLPHYSICS
"""What a rollout records per step: time, qpos, qvel, act and the rest of the physics."""

_captured = threading.local()


def _on_warning(message: str) -> None:
    sink = getattr(_captured, "messages", None)
    if sink is None:
        log.debug("mujoco: %s", message)
    elif len(sink) < 100:
        sink.append(message.strip())


mujoco.set_mju_user_warning(_on_warning)


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Collect MuJoCo's warnings raised by this thread inside the block."""
    previous = getattr(_captured, "messages", None)
    messages: list[str] = []
    _captured.messages = messages
    try:
        yield messages
    finally:
        _captured.messages = previous


class CompileError(ArenaError):
    """MuJoCo refused the model; the message is MuJoCo's own."""


def compile_model(path: Path) -> mujoco.MjModel:
    """Compile an MJCF file (includes and asset paths resolved from its folder)."""
    try:
        return mujoco.MjModel.from_xml_path(str(path))
    except ValueError as exc:
        raise CompileError(str(exc).strip()) from None


@dataclass(frozen=True)
class StateLayout:
    """Column ranges of a rollout state row."""

    nq: int
    nv: int

    @property
    def time(self) -> int:
        return 0

    @property
    def qpos(self) -> slice:
        return slice(1, 1 + self.nq)

    @property
    def qvel(self) -> slice:
        return slice(1 + self.nq, 1 + self.nq + self.nv)


def layout(model: mujoco.MjModel) -> StateLayout:
    return StateLayout(nq=model.nq, nv=model.nv)


def get_state(model: mujoco.MjModel, data: mujoco.MjData) -> NDArray[np.float64]:
    state = np.empty(mujoco.mj_stateSize(model, STATE))
    mujoco.mj_getState(model, data, state, STATE)
    return state


def set_state(model: mujoco.MjModel, data: mujoco.MjData, state: NDArray[np.float64]) -> None:
    mujoco.mj_setState(model, data, state, STATE)


def run(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    initial: NDArray[np.float64],
    nstep: int,
    control: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Roll ``initial`` states (batch x nstate) forward ``nstep`` steps in MuJoCo's C loop.

    Returns the state after every step (batch x nstep x nstate) and the sensor data.
    """
    states, sensors = rollout.rollout(model, data, np.atleast_2d(initial), control, nstep=nstep)
    return states, sensors


def without_autoreset(model: mujoco.MjModel) -> mujoco.MjModel:
    """Keep bad states visible: MuJoCo otherwise resets silently after bad accelerations."""
    model.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_AUTORESET)
    return model


def object_name(model: mujoco.MjModel, kind: mujoco.mjtObj, index: int) -> str:
    name = mujoco.mj_id2name(model, kind, index)
    return name if name else f"{str(kind.name).removeprefix('mjOBJ_').lower()}#{index}"
