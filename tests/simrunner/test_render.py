"""Rendering a scene offscreen: the design in its scene with the zones drawn, and a GIF."""

from __future__ import annotations

from io import BytesIO

import numpy as np
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
