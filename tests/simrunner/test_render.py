"""Rendering a scene offscreen: the design in its scene with the zones drawn, and a GIF."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from arena_core.spec import Solution
from arena_core.spec.examples import ball_to_goal
from simrunner.meshes import MeshLibrary
from simrunner.render import render_gif, render_png


def test_png_shows_the_scene_with_its_goal_and_build_zone() -> None:
    png = render_png(ball_to_goal(seed=3), Solution(), MeshLibrary(), size=(320, 240))
    image = np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)
    assert image.shape == (240, 320, 3)
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    assert ((g > r + 60) & (g > b + 60)).sum() > 100  # the goal zone, green
    assert ((b > r + 40) & (b > g)).sum() > 100  # the build zone, blue


def test_gif_has_a_frame_per_tenth_of_a_second() -> None:
    gif = render_gif(ball_to_goal(seed=3), Solution(), MeshLibrary(), seconds=0.5, fps=10,
                     size=(160, 120))  # fmt: skip
    frames = Image.open(BytesIO(gif))
    assert frames.format == "GIF" and frames.n_frames == 6


def test_a_gif_of_a_jittered_copy_starts_where_that_copy_started() -> None:
    spec = ball_to_goal(seed=3, copies=3)
    starts = spec.payload_starts()
    assert starts[0].pos != starts[2].pos
    gifs = [
        render_gif(spec, Solution(), MeshLibrary(), seconds=0.1, size=(160, 120), copy=k)
        for k in (0, 2)
    ]
    first = [Image.open(BytesIO(gif)) for gif in gifs]
    assert first[0].tobytes() != first[1].tobytes()
    with pytest.raises(ValueError, match="copy 7"):
        render_gif(spec, Solution(), MeshLibrary(), seconds=0.1, copy=7)


def test_without_an_offscreen_gl_rendering_says_what_to_install() -> None:
    code = (
        "from simrunner.render import NoOffscreenGl, render_png\n"
        "from arena_core.spec import Solution\n"
        "from arena_core.spec.examples import ball_to_goal\n"
        "from simrunner.meshes import MeshLibrary\n"
        "try:\n"
        "    render_png(ball_to_goal(0), Solution(), MeshLibrary())\n"
        "except NoOffscreenGl as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "MUJOCO_GL": "disable"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    (line,) = done.stdout.splitlines()
    assert "no offscreen OpenGL" in line and "libegl1" in line
