"""Shapes of benchmark objects and solution parts: primitives or a referenced mesh file."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from arena_core.spec.base import Pose, Positive, SpecModel, Vec3


class Box(SpecModel):
    """A box centred on its origin."""

    kind: Literal["box"] = "box"
    half_size: tuple[Positive, Positive, Positive]
    """Half extents along x, y, z (metres)."""

    def volume(self) -> float:
        return 8.0 * self.half_size[0] * self.half_size[1] * self.half_size[2]

    def half_extents(self) -> Vec3:
        return self.half_size


class Sphere(SpecModel):
    """A sphere centred on its origin."""

    kind: Literal["sphere"] = "sphere"
    radius: Positive
    """Radius (metres)."""

    def volume(self) -> float:
        return 4.0 / 3.0 * math.pi * self.radius**3

    def half_extents(self) -> Vec3:
        return (self.radius, self.radius, self.radius)


class Cylinder(SpecModel):
    """A cylinder along its local z axis, centred on its origin."""

    kind: Literal["cylinder"] = "cylinder"
    radius: Positive
    """Radius (metres)."""
    half_length: Positive
    """Half of the length along z (metres)."""

    def volume(self) -> float:
        return math.pi * self.radius**2 * 2.0 * self.half_length

    def half_extents(self) -> Vec3:
        return (self.radius, self.radius, self.half_length)


class Capsule(SpecModel):
    """A capsule along its local z axis: a cylinder with hemispherical caps."""

    kind: Literal["capsule"] = "capsule"
    radius: Positive
    """Radius of the cylinder and the caps (metres)."""
    half_length: Positive
    """Half of the cylindrical part's length along z (metres)."""

    def volume(self) -> float:
        return math.pi * self.radius**2 * (2.0 * self.half_length + 4.0 / 3.0 * self.radius)

    def half_extents(self) -> Vec3:
        return (self.radius, self.radius, self.half_length + self.radius)


class Plane(SpecModel):
    """An infinite ground plane through the origin with +z up (static objects only)."""

    kind: Literal["plane"] = "plane"

    def volume(self) -> float:
        return 0.0

    def half_extents(self) -> Vec3:
        return (math.inf, math.inf, 0.0)


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""Lowercase hex SHA-256 of a file's bytes."""


class Mesh(SpecModel):
    """A triangle mesh in an STL file (binary or ASCII), identified by its SHA-256.

    The mesh's own frame is the object frame: vertices are in metres before ``scale``.
    """

    kind: Literal["mesh"] = "mesh"
    sha256: Sha256
    """Content hash of the STL bytes; the file is looked up by it."""
    path: str | None = Field(default=None, max_length=512)
    """Where the file may be found locally (relative paths are resolved by the caller)."""
    scale: Positive = 1.0
    """Uniform scale applied to the vertices."""


Primitive = Annotated[Box | Sphere | Cylinder | Capsule, Field(discriminator="kind")]
"""A closed primitive solid."""
Geometry = Annotated[Box | Sphere | Cylinder | Capsule | Plane | Mesh, Field(discriminator="kind")]
"""Any shape a benchmark object may have."""
SolidGeometry = Annotated[Box | Sphere | Cylinder | Capsule | Mesh, Field(discriminator="kind")]
"""A shape with a volume (what moving bodies and solution parts are made of)."""


def world_aabb(geometry: Box | Sphere | Cylinder | Capsule, pose: Pose) -> tuple[Vec3, Vec3]:
    """Axis-aligned bounds ``(low, high)`` of a posed primitive in the world frame."""
    half = geometry.half_extents()
    rot = pose.rotation()
    extent = tuple(sum(abs(rot[i][j]) * half[j] for j in range(3)) for i in range(3))
    low = (pose.pos[0] - extent[0], pose.pos[1] - extent[1], pose.pos[2] - extent[2])
    high = (pose.pos[0] + extent[0], pose.pos[1] + extent[1], pose.pos[2] + extent[2])
    return low, high
