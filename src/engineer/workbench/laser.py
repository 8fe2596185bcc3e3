"""Laser cutting: sheet size, material, sheet thickness, straight-through profiles; cut cost."""

from __future__ import annotations

import math

import numpy as np

from arena_core.cad.mesh import Mesh
from arena_core.spec import Material
from engineer.workbench import checks
from engineer.workbench.cost import CostLines, breakdown
from engineer.workbench.report import CostBreakdown, ManufacturabilityReport, ViolationKind
from engineer.workbench.rules import LaserRules

CHECKED = (
    ViolationKind.exceeds_envelope,
    ViolationKind.material_not_allowed,
    ViolationKind.wrong_sheet_thickness,
    ViolationKind.not_a_profile,
)
"""The rules a laser-cut part is judged by."""


def check(
    mesh: Mesh, rules: LaserRules, *, part: str, material: str | None
) -> ManufacturabilityReport:
    """Is this part a flat profile the laser can cut out of one sheet?"""
    return checks.report(
        mesh, rules, part=part, material=material, checked=CHECKED,
        machine="laser's sheet", maker="the laser",
        found=[
            checks.sheet_thickness(mesh, rules.sheet_thickness_m, rules.sheet_tolerance_m),
            checks.profile(mesh),
        ],
    )  # fmt: skip


def cut_length(mesh: Mesh) -> float:
    """Length of the profile: the area of the cut walls over the sheet's thickness, m."""
    axis = checks.sheet_axis(mesh)
    walls = np.abs(mesh.normals[:, axis]) < math.sin(math.radians(1.0))
    return float(mesh.areas[walls].sum() / mesh.extents[axis])


def cost(
    mesh: Mesh, rules: LaserRules, material: Material, *, quantity: int, part: str
) -> CostBreakdown:
    """The sheet rectangle around the part is bought; time is cut length over cut speed."""
    axis = checks.sheet_axis(mesh)
    footprint = float(np.prod(np.delete(mesh.extents, axis)))
    sheet = footprint * float(mesh.extents[axis])
    volume = mesh.volume
    length = cut_length(mesh)
    hours = length / rules.cut_speed_m_per_h
    lines = CostLines(
        mass_kg=material.mass_of(volume),
        waste_kg=material.mass_of(max(0.0, sheet - volume)),
        machine_time_h=hours,
        tooling_cost=0.0,
        basis=(
            f"sheet: {footprint * 1e4:.4g} cm^2 rectangle around the part",
            f"cutting: {length * 1000:.4g} mm of profile at {rules.cut_speed_m_per_h:g} m/h",
        ),
    )
    return breakdown(lines, rules, material, quantity=quantity, part=part)
