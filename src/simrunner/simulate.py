"""Sim jobs: every jittered copy of a benchmark with a solution, judged step by step.

All copies run together in MuJoCo's C rollout loop, in chunks; after each chunk
``simrunner.judge`` checks the recorded states and sensors in bulk. Same inputs give the
same results (timings aside).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import mujoco
import numpy as np
from numpy.typing import NDArray

from arena_core.errors import ArenaError
from arena_core.events.sim import (
    MAX_MJCF_CHARS,
    BodyPose,
    CopyResult,
    SimFailure,
    SimFailureKind,
    SimJobCompleted,
    SimMetrics,
)
from arena_core.spec import BenchmarkSpec, Pose, Solution, SpecIssue
from simrunner import engine
from simrunner.contacts import deepest_contact
from simrunner.judge import Copy, Judge
from simrunner.limits import Limits
from simrunner.meshes import MeshLibrary
from simrunner.mjcf import BuiltScene, build_mjcf, control_values
from simrunner.reward import reward
from simrunner.scoring import score
from simrunner.validate import validate

Fail = SimFailureKind
CHUNK_S = 1.0
"""Simulated seconds per rollout call."""
PENETRATION_SAMPLE_EVERY = 50
"""Steps between two samples of the deepest contact."""


class SpecContradictionError(ArenaError, ValueError):
    """The spec contradicts itself; nothing can be simulated."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        super().__init__("; ".join(f"{i.reason}: {i.detail}" for i in issues))
        self.issues = issues

    def __reduce__(self) -> tuple[type[SpecContradictionError], tuple[list[SpecIssue]]]:
        # A worker process raises it across a process pool: rebuild it from its issues.
        return (type(self), (self.issues,))


class SimTimeLimitError(ArenaError, TimeoutError):
    """The job ran past its wall-clock budget."""


def _start_state(
    model: mujoco.MjModel, data: mujoco.MjData, adr: int, pose: Pose
) -> NDArray[np.float64]:
    mujoco.mj_resetData(model, data)
    data.qpos[adr : adr + 3] = pose.pos
    data.qpos[adr + 3 : adr + 7] = pose.quat
    mujoco.mj_forward(model, data)
    return engine.get_state(model, data)


def _final_poses(
    model: mujoco.MjModel, data: mujoco.MjData, scene: BuiltScene, state: NDArray[np.float64]
) -> tuple[BodyPose, ...]:
    engine.set_state(model, data, state)
    mujoco.mj_kinematics(model, data)
    poses = []
    for name in (*scene.dynamic_bodies, *scene.motor_bodies):
        body = model.body(name).id
        pos = tuple(round(float(v), 9) for v in data.xpos[body])
        quat = tuple(round(float(v), 9) for v in data.xquat[body])
        poses.append(BodyPose(name=name.split("/", 1)[1], pos=pos, quat=quat))
    return tuple(poses)


def _sample_penetration(
    model: mujoco.MjModel, data: mujoco.MjData, states: NDArray[np.float64]
) -> float:
    deepest = 0.0
    for row in states[PENETRATION_SAMPLE_EVERY - 1 :: PENETRATION_SAMPLE_EVERY]:
        engine.set_state(model, data, row)
        mujoco.mj_fwdPosition(model, data)
        deepest = max(deepest, deepest_contact(data))
    return deepest


def run_copies(
    spec: BenchmarkSpec,
    scene: BuiltScene,
    model: mujoco.MjModel,
    limits: Limits,
    deadline: float,
    *,
    until_first_failure: bool = False,
) -> tuple[list[CopyResult], int, float]:
    """Simulate the jittered copies; returns per-copy results, total steps and wall time.

    With ``until_first_failure`` the first copy runs alone and the others only if it
    succeeded: all a caller that only asks "does every copy pass?" needs to know.
    """
    data = mujoco.MjData(model)
    judge = Judge(spec, scene, model, limits)
    copies = [
        Copy(i, pose, _start_state(model, data, judge.payload_adr, pose))
        for i, pose in enumerate(spec.payload_starts())
    ]
    times = np.arange(_total_steps(spec, model)) * model.opt.timestep
    controls = (
        np.stack([control_values(m, times) for m in spec.motors], axis=1) if model.nu else None
    )
    began = time.perf_counter()
    batches = [copies[:1], copies[1:]] if until_first_failure else [copies]
    results: list[CopyResult] = []
    for batch in batches:
        if results and not all(r.success for r in results):
            break
        _roll(batch, spec, model, data, judge, controls, limits, deadline)
        results += [_result(c, spec, model, data, scene) for c in batch]
    wall = time.perf_counter() - began
    return results, sum(r.steps for r in results), wall


def _total_steps(spec: BenchmarkSpec, model: mujoco.MjModel) -> int:
    return max(1, round(spec.duration_s / float(model.opt.timestep)))


def _roll(
    copies: list[Copy],
    spec: BenchmarkSpec,
    model: mujoco.MjModel,
    data: mujoco.MjData,
    judge: Judge,
    controls: NDArray[np.float64] | None,
    limits: Limits,
    deadline: float,
) -> None:
    """Step ``copies`` together chunk by chunk until each is done or time is up."""
    nstep_total = _total_steps(spec, model)
    chunk = max(1, round(CHUNK_S / model.opt.timestep))
    done_steps = 0
    while done_steps < nstep_total:
        active = [c for c in copies if not c.done]
        if not active:
            break
        if time.monotonic() > deadline:
            raise SimTimeLimitError(f"sim job exceeded {limits.wall_limit_s:g} s of wall time")
        n = min(chunk, nstep_total - done_steps)
        initial = np.stack([c.state for c in active])
        control = (
            None
            if controls is None
            else np.repeat(controls[None, done_steps : done_steps + n], len(active), 0)
        )
        states, sensors = engine.run(model, data, initial, n, control)
        for k, copy in enumerate(active):
            copy.max_penetration = max(
                copy.max_penetration, _sample_penetration(model, data, states[k])
            )
            judge.chunk(copy, states[k], sensors[k])
        done_steps += n


def _result(
    c: Copy, spec: BenchmarkSpec, model: mujoco.MjModel, data: mujoco.MjData, scene: BuiltScene
) -> CopyResult:
    failures = list(c.failures)
    if c.time_to_goal is None and not failures:
        failures.append(
            SimFailure(
                kind=Fail.timeout,
                copy_index=c.index,
                subjects=(spec.goal.object,),
                message=f"goal not met within {spec.duration_s:g} s",
                time_s=spec.duration_s,
            )
        )
    return CopyResult(
        copy_index=c.index,
        success=not failures,
        start=c.start.pos,
        time_to_goal_s=c.time_to_goal,
        failures=tuple(failures),
        final_poses=_final_poses(model, data, scene, c.state),
        max_penetration_m=round(c.max_penetration, 9),
        steps=c.steps,
    )


def simulate(
    spec: BenchmarkSpec,
    solution: Solution | None = None,
    meshes: MeshLibrary | None = None,
    limits: Limits | None = None,
    *,
    with_mjcf: bool = False,
    until_first_failure: bool = False,
) -> SimJobCompleted:
    """Validate the scene, simulate every jittered copy, score the solution (and with
    ``with_mjcf``, carry the scene's MJCF in the verdict). With ``until_first_failure``
    the copies after a failed first one are skipped (see ``run_copies``).

    Raises ``SpecContradictionError`` for a contradictory spec and ``SimTimeLimitError``
    when the wall-clock budget runs out.
    """
    issues = spec.contradictions()
    if issues:
        raise SpecContradictionError(issues)
    limits = limits or Limits()
    solution = solution or Solution()
    meshes = meshes or MeshLibrary()
    deadline = time.monotonic() + limits.wall_limit_s
    scoring = score(spec, solution, meshes)
    scene = build_mjcf(spec, solution)
    with tempfile.TemporaryDirectory(prefix="arena-sim-") as folder:
        path = scene.write(Path(folder), meshes)
        report = validate(path, limits, strict_schema=True)
        failures: list[SimFailure] = []
        if scoring.violations:
            failures.append(
                SimFailure(
                    kind=Fail.constraint_violation,
                    message="; ".join(v.message for v in scoring.violations)[:4000],
                )
            )
        if not report.valid:
            failures.insert(
                0,
                SimFailure(
                    kind=Fail.invalid_scene,
                    message="; ".join(f"{f.kind}: {f.message}" for f in report.failures)[:4000],
                ),
            )
            return SimJobCompleted(
                passed=False,
                failures=tuple(failures),
                validation=report,
                metrics=SimMetrics(),
                scoring=scoring,
                reward=reward(spec, (), scoring, valid=False),
                mjcf=_mjcf(scene, with_mjcf),
            )
        model = engine.without_autoreset(engine.compile_model(path))
    copies, steps, wall = run_copies(
        spec, scene, model, limits, deadline, until_first_failure=until_first_failure
    )
    failures.extend(f for c in copies for f in c.failures)
    metrics = SimMetrics(
        copies=tuple(copies),
        copies_skipped=len(spec.payload_starts()) - len(copies),
        success_rate=sum(c.success for c in copies) / len(copies),
        steps=steps,
        max_penetration_m=max(c.max_penetration_m for c in copies),
        wall_s=wall,
        steps_per_s=steps / wall if wall > 0 else 0.0,
    )
    return SimJobCompleted(
        passed=not failures,
        failures=tuple(failures),
        validation=report,
        metrics=metrics,
        scoring=scoring,
        reward=reward(spec, copies, scoring),
        mjcf=_mjcf(scene, with_mjcf),
    )


def _mjcf(scene: BuiltScene, wanted: bool) -> str:
    """The scene's MJCF for the verdict: empty unless wanted, and when too large."""
    xml = scene.xml.decode() if wanted else ""
    return xml if len(xml) <= MAX_MJCF_CHARS else ""
