"""A design: plates placed in the world, and the build123d script that makes them.

A template (``engineer.templates``, ``engineer.mechanisms``) decodes a genome into a
``Design``; the same genome always gives the same script, so a design is named by its
code's hash (``design_id``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from arena_core.spec import Material, Vec3

Genome = tuple[float, ...]
"""Design parameters, each in [0, 1]."""

CLEARANCE_M = 0.004
"""Gap kept between a part and the payload's start, the floor and the build zone's faces."""
_HEADER = "from build123d import Box\nfrom arena_cad import Part\n\n\ndef build():\n"


@dataclass(frozen=True)
class Plate:
    """A rectangular plate: centre, yaw and pitch (radians), length x width x thickness."""

    name: str
    center: Vec3
    yaw: float
    pitch: float
    size: Vec3
    roll: float = 0.0
    motor: str | None = None
    """The benchmark motor the plate rides on (``None``: fixed to the world)."""

    def corners(self) -> list[Vec3]:
        hx, hy, hz = (s / 2 for s in self.size)
        return [
            _rotate((sx * hx, sy * hy, sz * hz), self.yaw, self.pitch, self.roll, self.center)
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]

    def bounds(self) -> tuple[Vec3, Vec3]:
        points = self.corners()
        low = (min(p[0] for p in points), min(p[1] for p in points), min(p[2] for p in points))
        high = (max(p[0] for p in points), max(p[1] for p in points), max(p[2] for p in points))
        return low, high


def _rotate(p: Vec3, yaw: float, pitch: float, roll: float, offset: Vec3) -> Vec3:
    # Roll about x, then pitch about y, then yaw about z: R = Rz(yaw) Ry(pitch) Rx(roll).
    x, y, z = p
    y, z = y * math.cos(roll) - z * math.sin(roll), y * math.sin(roll) + z * math.cos(roll)
    x, z = x * math.cos(pitch) + z * math.sin(pitch), -x * math.sin(pitch) + z * math.cos(pitch)
    x, y = x * math.cos(yaw) - y * math.sin(yaw), x * math.sin(yaw) + y * math.cos(yaw)
    return (x + offset[0], y + offset[1], z + offset[2])


@dataclass(frozen=True)
class Design:
    """A decoded genome: plates of one material, and the script that builds them."""

    template: str
    genome: Genome
    material: Material
    plates: tuple[Plate, ...]

    def code(self) -> str:
        """The build123d script: each plate built flat in its own frame (see ``placements``)."""
        lines = [_HEADER.rstrip("\n")]
        for plate in self.plates:
            lx, ly, lz = (round(v, 6) for v in plate.size)
            lines.append(f"    {plate.name} = Box({lx}, {ly}, {lz})")
        parts = ", ".join(
            f"Part({p.name!r}, {p.name}, role={self.material.name!r}, "
            f"density={self.material.density!r})"
            for p in self.plates
        )
        lines.append(f"    return [{parts}]")
        return "\n".join(lines) + "\n"

    def placements(self) -> list[dict[str, object]]:
        """Where each part's frame goes in the world: position and unit quaternion (w, x, y, z)."""
        return [
            {
                "part": p.name,
                "pos": [round(c, 6) for c in p.center],
                "quat": [round(q, 9) for q in _quat(p.yaw, p.pitch, p.roll)],
                **({"motor": p.motor} if p.motor else {}),
            }
            for p in self.plates
        ]

    @property
    def design_id(self) -> str:
        return design_id(self.code(), self.placements())

    def volume(self) -> float:
        return sum(p.size[0] * p.size[1] * p.size[2] for p in self.plates)

    def mass(self) -> float:
        return self.material.mass_of(self.volume())

    def cost(self) -> float:
        return self.material.price_of(self.mass())


def design_id(code: str, placements: Sequence[object] = ()) -> str:
    """The id of a CAD script with its placements: 12 hex digits of their SHA-256."""
    key = code.encode() + orjson.dumps(list(placements), option=orjson.OPT_SORT_KEYS)
    return "d" + hashlib.sha256(key).hexdigest()[:12]


def _quat(yaw: float, pitch: float, roll: float) -> tuple[float, float, float, float]:
    # Rz(yaw) Ry(pitch) Rx(roll), the rotation ``Plate.corners`` applies.
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    return (
        cy * cp * cr + sy * sp * sr,
        cy * cp * sr - sy * sp * cr,
        cy * sp * cr + sy * cp * sr,
        sy * cp * cr - cy * sp * sr,
    )
