"""simrunner service."""

import os

# MuJoCo picks its OpenGL backend when first imported: offscreen EGL, so that rendering
# works in a process that has already simulated (set MUJOCO_GL=osmesa to use OSMesa).
os.environ.setdefault("MUJOCO_GL", "egl")
