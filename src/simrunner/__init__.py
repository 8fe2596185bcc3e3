"""simrunner service."""

import ctypes.util
import os


def _offscreen_gl() -> str:
    """The OpenGL backend MuJoCo should load: EGL, else OSMesa, else none.

    MuJoCo loads it when first imported, and fails to import at all when the chosen
    library is missing; without one it still simulates, and only rendering says what to
    install.
    """
    if ctypes.util.find_library("EGL"):
        return "egl"
    if ctypes.util.find_library("OSMesa"):
        return "osmesa"
    return "disable"


# Offscreen, so that rendering works in a process that has already simulated (set
# MUJOCO_GL=osmesa to use OSMesa).
os.environ.setdefault("MUJOCO_GL", _offscreen_gl())
