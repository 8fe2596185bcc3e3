"""Pictures of a scene with its design: MuJoCo's offscreen renderer (EGL or OSMesa).

    png = render_png(spec, solution, meshes)            # the scene at t = 0
    gif = render_gif(spec, solution, meshes, seconds=2) # the simulation, a few frames

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
from simrunner.mjcf import build_mjcf

BUILD_RGBA = (0.2, 0.4, 1.0, 0.25)
GOAL_RGBA = (0.1, 0.9, 0.2, 0.35)
FORBID_RGBA = (1.0, 0.1, 0.1, 0.3)


class NoOffscreenGl(ArenaError, RuntimeError):
    """No offscreen OpenGL: install libegl1 + libegl-mesa0 (EGL) or libosmesa6 (OSMesa)."""


def _mujoco() -> Any:
    os.environ.setdefault("MUJOCO_GL", "egl")
    import mujoco

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
    """A compiled scene and an offscreen renderer aimed at it."""

    def __init__(
        self, spec: BenchmarkSpec, solution: Solution, meshes: MeshLibrary,
        width: int = 640, height: int = 480,
    ) -> None:  # fmt: skip
        mujoco = _mujoco()
        self.mujoco, self.spec = mujoco, spec
        built = build_mjcf(spec, solution)
        with tempfile.TemporaryDirectory(prefix="arena-render-") as folder:
            path = built.write(Path(folder), meshes)
            self.model = mujoco.MjModel.from_xml_path(str(path))
        self.model.vis.global_.offwidth = max(self.model.vis.global_.offwidth, width)
        self.model.vis.global_.offheight = max(self.model.vis.global_.offheight, height)
        self.data = mujoco.MjData(self.model)
        mujoco.mj_forward(self.model, self.data)
        try:
            self.renderer = mujoco.Renderer(self.model, height, width)
        except Exception as exc:  # the GL backend could not start
            raise NoOffscreenGl(
                f"no offscreen OpenGL ({os.environ.get('MUJOCO_GL')}: {exc}); install "
                "libegl1 and libegl-mesa0, or libosmesa6 with MUJOCO_GL=osmesa"
            ) from None
        self.camera = mujoco.MjvCamera()
        mujoco.mjv_defaultFreeCamera(self.model, self.camera)
        self.camera.azimuth, self.camera.elevation = 135.0, -25.0
        self.camera.distance *= 0.6

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

    def step(self, seconds: float) -> None:
        steps = max(int(seconds / self.model.opt.timestep), 1)
        for _ in range(steps):
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
    fps: int = 10, size: tuple[int, int] = (480, 360),
) -> bytes:  # fmt: skip
    """A short GIF of the simulation (``seconds`` of simulated time, ``fps`` frames each)."""
    from PIL import Image

    scene = SceneRenderer(spec, solution, meshes, *size)
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
