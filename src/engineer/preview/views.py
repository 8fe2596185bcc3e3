"""The standard views of a part: orthographic cameras in a z-up world."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

ViewName = Literal["front", "side", "top", "iso"]
"""A standard view: front (from -y), side (from +x), top (from +z), iso (from +x -y +z)."""

ALL_VIEWS: tuple[ViewName, ...] = ("front", "side", "top", "iso")
"""Every standard view, in the order a drawing sheet shows them."""


@dataclass(frozen=True)
class View:
    """An orthographic camera: screen axes and the direction towards the viewer."""

    name: ViewName
    """Which view."""
    right: NDArray[np.float64]
    """World direction drawn to the right."""
    up: NDArray[np.float64]
    """World direction drawn upwards."""
    towards_viewer: NDArray[np.float64]
    """World direction from the part to the camera (``right x up``)."""
    axes_label: str
    """The world axes along screen right and up, for the caption."""


def _view(name: ViewName, towards_viewer: tuple[float, float, float], label: str) -> View:
    back = np.asarray(towards_viewer, dtype=np.float64)
    back /= np.linalg.norm(back)
    z = np.array([0.0, 0.0, 1.0])
    # Screen-up is world z tilted into the picture plane; from straight above it is world y.
    up = z - back * (z @ back) if abs(back @ z) < 0.999 else np.array([0.0, 1.0, 0.0])
    up /= np.linalg.norm(up)
    right = np.cross(up, back)
    return View(name=name, right=right, up=up, towards_viewer=back, axes_label=label)


VIEWS: dict[ViewName, View] = {
    "front": _view("front", (0.0, -1.0, 0.0), "x right, z up"),
    "side": _view("side", (1.0, 0.0, 0.0), "y right, z up"),
    "top": _view("top", (0.0, 0.0, 1.0), "x right, y up"),
    "iso": _view("iso", (1.0, -1.0, 1.0), "isometric"),
}
"""The camera of each standard view."""
