"""Pictures of a scene with its design: MuJoCo's offscreen renderer (EGL or OSMesa).

    png = render_png(spec, solution, meshes)            # the scene at t = 0
    gif = render_gif(spec, solution, meshes, seconds=2) # the simulation, a few frames
    gif = render_gif(spec, solution, meshes, copy=2)    # jittered copy 2, as simulated

The build zone (blue), the goal zone (green) and the forbidden zones (red) are drawn as
translucent boxes. Without an offscreen GL (no EGL, no OSMesa) ``NoOffscreenGl`` says
which packages provide one.
"""

from __future__ import annotations

import os
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from arena_core.errors import ArenaError
from arena_core.spec import BenchmarkSpec, Solution
from arena_core.spec.zones import Zone
from simrunner.meshes import MeshLibrary
from simrunner.mjcf import build_mjcf, control_values

BUILD_RGBA = (0.2, 0.4, 1.0, 0.25)
GOAL_RGBA = (0.1, 0.9, 0.2, 0.35)
FORBID_RGBA = (1.0, 0.1, 0.1, 0.3)


class NoOffscreenGl(ArenaError, RuntimeError):
    """No offscreen OpenGL: install libegl1 + libegl-mesa0 (EGL) or libosmesa6 (OSMesa)."""


INSTALL_HINT = (
    "install libegl1 and libegl-mesa0 (scripts/bootstrap does, as root), or libosmesa6 "
    "with MUJOCO_GL=osmesa"
)


def _no_gl(why: object) -> NoOffscreenGl:
    return NoOffscreenGl(f"no offscreen OpenGL (MUJOCO_GL={os.environ.get('MUJOCO_GL')}: "
                         f"{why}); {INSTALL_HINT}")  # fmt: skip


def _mujoco() -> Any:
    import simrunner  # noqa: F401 - chooses MUJOCO_GL before mujoco is imported

    try:
        import mujoco
    except Exception as exc:  # the chosen GL library is missing: mujoco does not import
        raise _no_gl(f"{type(exc).__name__}: {exc}") from None
    return mujoco


def _add_zone(mujoco: Any, scene: Any, zone: Zone, rgba: tuple[float, ...]) -> None:
    import numpy as np

    if scene.ngeom >= scene.maxgeom:
        return
    low, high = np.array(zone.low, dtype=float), np.array(zone.high, dtype=float)
    mujoco.mjv_initGeom(
        scene.geoms[scene.ngeom], mujoco.mjtGeom.mjGEOM_BOX, (high - low) / 2,
        (high + low) / 2, np.eye(3).flatten(), np.array(rgba, dtype=np.float32),
    )  # fmt: skip
    scene.ngeom += 1


class SceneRenderer:
    """A compiled scene and an offscreen renderer aimed at it.

    ``copy`` starts the payload where that jittered copy of the sim job started (None:
    where the spec puts it); stepping drives the motors by their schedules, as the
    simulator does.
    """

    def __init__(
        self, spec: BenchmarkSpec, solution: Solution, meshes: MeshLibrary,
        width: int = 640, height: int = 480, copy: int | None = None,
    ) -> None:  # fmt: skip
        mujoco = _mujoco()
        from simrunner import engine

        self.mujoco, self.spec = mujoco, spec
        built = build_mjcf(spec, solution)
        with tempfile.TemporaryDirectory(prefix="arena-render-") as folder:
            path = built.write(Path(folder), meshes)
            self.model = engine.without_autoreset(engine.compile_model(path))
        self.model.vis.global_.offwidth = max(self.model.vis.global_.offwidth, width)
        self.model.vis.global_.offheight = max(self.model.vis.global_.offheight, height)
        self.data = mujoco.MjData(self.model)
        if copy is not None:
            self._start_as(copy)
        mujoco.mj_forward(self.model, self.data)
        try:
            self.renderer = mujoco.Renderer(self.model, height, width)
        except Exception as exc:  # the GL backend could not start
            raise _no_gl(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        self.camera = mujoco.MjvCamera()
        mujoco.mjv_defaultFreeCamera(self.model, self.camera)
        self.camera.azimuth, self.camera.elevation = 135.0, -25.0
        self._frame_the_task()

    def _frame_the_task(self) -> None:
        """Aim at what the task is about: the build zone, the goal and the payload."""
        import numpy as np

        boxes = [self.spec.build_zone]
        goal = getattr(self.spec.goal, "zone", None)
        if isinstance(goal, Zone):
            boxes.append(goal)
        points = [p for z in boxes for p in (z.low, z.high)]
        points += [s.pos for s in self.spec.payload_starts()]
        low, high = np.min(points, axis=0), np.max(points, axis=0)
        self.camera.lookat[:] = (low + high) / 2
        self.camera.distance = max(float(np.linalg.norm(high - low)) * 1.6, 0.3)

    def frame(self) -> Any:
        """The current state as an RGB array, zones drawn."""
        self.renderer.update_scene(self.data, camera=self.camera)
        scene = self.renderer.scene
        _add_zone(self.mujoco, scene, self.spec.build_zone, BUILD_RGBA)
        goal = getattr(self.spec.goal, "zone", None)
        if isinstance(goal, Zone):
            _add_zone(self.mujoco, scene, goal, GOAL_RGBA)
        for zone in self.spec.forbid_zones:
            _add_zone(self.mujoco, scene, zone, FORBID_RGBA)
        return self.renderer.render()

    def _start_as(self, copy: int) -> None:
        starts = self.spec.payload_starts()
        if not 0 <= copy < len(starts):
            raise ValueError(f"copy {copy} is not one of the {len(starts)} jittered copies")
        joint = self.model.joint(f"dynamic/{self.spec.goal.object}")
        adr = int(self.model.jnt_qposadr[joint.id])
        self.data.qpos[adr : adr + 3] = starts[copy].pos
        self.data.qpos[adr + 3 : adr + 7] = starts[copy].quat

    def step(self, seconds: float) -> None:
        """Simulate ``seconds`` more, the motors following their schedules."""
        import numpy as np

        steps = max(int(seconds / self.model.opt.timestep), 1)
        for _ in range(steps):
            if self.model.nu:
                now = np.array([self.data.time])
                self.data.ctrl[:] = [control_values(m, now)[0] for m in self.spec.motors]
            self.mujoco.mj_step(self.model, self.data)

    def close(self) -> None:
        self.renderer.close()


def render_png(
    spec: BenchmarkSpec,
    solution: Solution,
    meshes: MeshLibrary,
    *,
    size: tuple[int, int] = (640, 480),
) -> bytes:
    """A PNG of the scene at t = 0 with its design and zones."""
    from PIL import Image

    scene = SceneRenderer(spec, solution, meshes, *size)
    try:
        out = BytesIO()
        Image.fromarray(scene.frame()).save(out, format="PNG")
        return out.getvalue()
    finally:
        scene.close()


def render_gif(
    spec: BenchmarkSpec, solution: Solution, meshes: MeshLibrary, *, seconds: float = 3.0,
    fps: int = 10, size: tuple[int, int] = (480, 360), copy: int | None = None,
) -> bytes:  # fmt: skip
    """A short GIF of the simulation (``seconds`` of simulated time, ``fps`` frames each),
    of jittered copy ``copy`` when given."""
    from PIL import Image

    scene = SceneRenderer(spec, solution, meshes, *size, copy=copy)
    try:
        frames = [Image.fromarray(scene.frame())]
        for _ in range(int(seconds * fps)):
            scene.step(1.0 / fps)
            frames.append(Image.fromarray(scene.frame()))
        out = BytesIO()
        frames[0].save(
            out, format="GIF", save_all=True, append_images=frames[1:],
            duration=int(1000 / fps), loop=0,
        )  # fmt: skip
        return out.getvalue()
    finally:
        scene.close()
