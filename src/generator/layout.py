"""Layouts: the solids a procedural family places, written out as build123d CAD code.

A family describes its scene and its reference solution as ``Solid``s (a primitive
shape, where it sits, what it is made of, which role it plays). ``cad_code`` turns
them into a CAD script for the sandbox, the same kind of script an LLM writes; the
reviewer then maps the measured parts back (see ``generator.primitives``).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

from arena_core.spec import STANDARD_MATERIALS, Box, Cylinder, Material, Sphere, Vec3

SolidShape = Box | Sphere | Cylinder


class Solid(BaseModel):
    """One part of a layout: a primitive in a pose, made of a named material."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    """Part name (becomes the label or the solution part name)."""
    role: str
    """``static`` / ``dynamic`` in scenes; ``fixed`` / ``on_<motor>`` in solutions."""
    shape: SolidShape
    """The primitive, centred on its origin."""
    at: Vec3
    """Where its centre sits in the world (metres)."""
    rotate_deg: Vec3 = (0.0, 0.0, 0.0)
    """Rotation about world x, then y, then z (degrees)."""
    material: str
    """Material name; the script writes its density."""


def _num(x: float) -> str:
    return repr(round(float(x), 6))


def _shape_expr(shape: SolidShape) -> str:
    match shape:
        case Box(half_size=(hx, hy, hz)):
            return f"Box({_num(2 * hx)}, {_num(2 * hy)}, {_num(2 * hz)})"
        case Sphere(radius=r):
            return f"Sphere({_num(r)})"
        case Cylinder(radius=r, half_length=h):
            return f"Cylinder({_num(r)}, {_num(2 * h)})"
    raise TypeError(f"unsupported shape {shape!r}")


def density_of(material: str, materials: tuple[Material, ...] = STANDARD_MATERIALS) -> float:
    for m in materials:
        if m.name == material:
            return m.density
    raise KeyError(material)


def cad_code(
    solids: list[Solid],
    *,
    purpose: str,
    materials: tuple[Material, ...] = STANDARD_MATERIALS,
    kind: Literal["scene", "solution"] = "scene",
) -> str:
    """A build123d script whose ``build()`` returns ``solids`` as ``Part``s."""
    lines = [
        f'"""{purpose}"""',
        "",
        "from build123d import Box, Cylinder, Pos, Rot, Sphere",
        "from arena_cad import Part",
        "",
        "",
        "def build():",
        f"    # {kind}: every length in metres, densities in kg/m^3",
        "    parts = []",
    ]
    for s in solids:
        place = f"Pos({_num(s.at[0])}, {_num(s.at[1])}, {_num(s.at[2])})"
        rx, ry, rz = s.rotate_deg
        if sum(abs(a) > 0 for a in s.rotate_deg) > 1:
            # About x, then y, then z (world axes): one Rot per axis, composed explicitly.
            place += f" * Rot(0, 0, {_num(rz)}) * Rot(0, {_num(ry)}, 0) * Rot({_num(rx)}, 0, 0)"
        elif any(abs(a) > 0 for a in s.rotate_deg):
            place += f" * Rot({_num(rx)}, {_num(ry)}, {_num(rz)})"
        density = density_of(s.material, materials)
        lines.append(
            f"    parts.append(Part({s.name!r}, {place} * {_shape_expr(s.shape)}, "
            f"role={s.role!r}, density={_num(density)}))  # {s.material}"
        )
    lines.append("    return parts")
    return "\n".join(lines) + "\n"


def pitch_for_drop(run: float, rise: float) -> float:
    """Pitch (degrees about +y) of a plank that falls by ``rise`` over ``run`` towards +x."""
    return math.degrees(math.atan2(rise, run))
