"""Shared building blocks of the benchmark spec: strict models, vectors, poses, labels."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Real = Annotated[float, AfterValidator(_finite)]
"""A finite float (NaN and infinities are rejected)."""
Positive = Annotated[float, Field(gt=0), AfterValidator(_finite)]
"""A finite float greater than zero."""
NonNegative = Annotated[float, Field(ge=0), AfterValidator(_finite)]
"""A finite float greater than or equal to zero."""
Vec3 = tuple[Real, Real, Real]
"""A 3-vector in metres (positions, extents) or unitless (axes)."""
Label = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
"""Name of a benchmark element: lowercase words, unique within a spec."""


class SpecModel(BaseModel):
    """Base of every spec model: strict (unknown fields rejected) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _unit_quat(q: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    norm = math.sqrt(sum(c * c for c in q))
    if not math.isfinite(norm) or norm < 1e-9:
        raise ValueError("quaternion must be finite and non-zero")
    return (q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm)


Quat = Annotated[tuple[Real, Real, Real, Real], AfterValidator(_unit_quat)]
"""A rotation as a unit quaternion ``(w, x, y, z)`` (normalized on input)."""


class Pose(SpecModel):
    """Where something is: position in metres and orientation, in the world frame."""

    pos: Vec3 = (0.0, 0.0, 0.0)
    """Position of the object's origin (metres)."""
    quat: Quat = (1.0, 0.0, 0.0, 0.0)
    """Orientation as a unit quaternion ``(w, x, y, z)``."""

    @classmethod
    def at(cls, x: float, y: float, z: float, *, euler: Vec3 | None = None) -> Pose:
        """A pose at ``(x, y, z)``, optionally rotated by XYZ Euler angles (radians)."""
        return cls(pos=(x, y, z), quat=quat_from_euler(euler) if euler else (1.0, 0.0, 0.0, 0.0))

    def rotation(self) -> tuple[Vec3, Vec3, Vec3]:
        """The rotation matrix (rows) of ``quat``."""
        return quat_to_matrix(self.quat)

    def apply(self, point: Vec3) -> Vec3:
        """A point given in this pose's frame, expressed in the world frame."""
        r = self.rotation()
        return (
            r[0][0] * point[0] + r[0][1] * point[1] + r[0][2] * point[2] + self.pos[0],
            r[1][0] * point[0] + r[1][1] * point[1] + r[1][2] * point[2] + self.pos[1],
            r[2][0] * point[0] + r[2][1] * point[1] + r[2][2] * point[2] + self.pos[2],
        )


def quat_from_euler(euler: Vec3) -> tuple[float, float, float, float]:
    """Quaternion ``(w, x, y, z)`` of extrinsic X, then Y, then Z rotations (radians)."""
    hx, hy, hz = (a / 2 for a in euler)
    cx, sx, cy, sy, cz, sz = (
        math.cos(hx),
        math.sin(hx),
        math.cos(hy),
        math.sin(hy),
        math.cos(hz),
        math.sin(hz),
    )
    return (
        cz * cy * cx + sz * sy * sx,
        cz * cy * sx - sz * sy * cx,
        cz * sy * cx + sz * cy * sx,
        sz * cy * cx - cz * sy * sx,
    )


def quat_to_matrix(q: tuple[float, float, float, float]) -> tuple[Vec3, Vec3, Vec3]:
    w, x, y, z = q
    return (
        (1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
        (2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
        (2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)),
    )


def quat_multiply(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """The rotation ``a`` after ``b``."""
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return (
        aw * bw - ax * bx - ay * by - az * bz,
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
    )
