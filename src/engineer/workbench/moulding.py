"""Injection moulding: mould size, material, minimum wall, draft, undercuts; mould and
cycle cost."""

from __future__ import annotations

import numpy as np

from arena_core.cad.mesh import Mesh
from arena_core.spec import Material
from engineer.workbench import checks, geometry
from engineer.workbench.cost import CostLines, breakdown
from engineer.workbench.rays import cast
from engineer.workbench.report import CostBreakdown, ManufacturabilityReport, ViolationKind
from engineer.workbench.rules import MouldingRules

CHECKED = (
    ViolationKind.exceeds_envelope,
    ViolationKind.material_not_allowed,
    ViolationKind.thin_wall,
    ViolationKind.insufficient_draft,
    ViolationKind.undercut,
)
"""The rules a moulded part is judged by."""


def check(
    mesh: Mesh, rules: MouldingRules, *, part: str, material: str | None
) -> ManufacturabilityReport:
    """Can a two-plate mould opening along ``pull_direction`` make and release this part?"""
    walls = geometry.wall_thickness(mesh)
    low_draft_area, low_draft = checks.low_draft(mesh, rules.pull_direction, rules.min_draft_deg)
    hidden_area, hidden = checks.undercuts(mesh, rules.pull_direction, what="the mould halves")
    return checks.report(
        mesh, rules, part=part, material=material, checked=CHECKED,
        machine="mould", maker="the moulding machine", found=[low_draft, hidden],
        walls=walls, low_draft_area_m2=low_draft_area, undercut_area_m2=hidden_area,
    )  # fmt: skip


def projected_area(mesh: Mesh, pull: tuple[float, float, float]) -> float:
    """The part's shadow along the pull, m^2: the faces seen from ``+pull``, projected.

    Faces hidden under others (the lower half of a side hole) are left out, so nothing
    is counted twice.
    """
    axis = np.asarray(pull)
    along = mesh.normals @ axis
    facing = np.flatnonzero(along > 0)
    origins = mesh.centroids[facing] + mesh.normals[facing] * 1e-7
    hits = cast(mesh, origins, np.tile(axis, (len(facing), 1)), min_distance=1e-7)
    seen = facing[~hits.hit]
    return float((mesh.areas[seen] * along[seen]).sum())


def cost(
    mesh: Mesh, rules: MouldingRules, material: Material, *, quantity: int, part: str
) -> CostBreakdown:
    """A mould priced by projected area (plus a side action for undercuts) and a cycle whose
    cooling grows with the square of the nominal wall."""
    volume = mesh.volume
    mass = material.mass_of(volume)
    projected = projected_area(mesh, rules.pull_direction)
    hidden_area, _ = checks.undercuts(mesh, rules.pull_direction, what="the mould halves")
    side_actions = rules.side_action_cost if hidden_area > 0 else 0.0
    tooling = rules.mould_base_cost + rules.mould_cost_per_m2 * projected + side_actions
    measured = checks.measurements(mesh, geometry.wall_thickness(mesh))
    wall_mm = (measured.median_wall_m or 0.0) * 1000
    cycle_s = rules.base_cycle_s + rules.cooling_s_per_mm2 * wall_mm**2
    lines = CostLines(
        mass_kg=mass,
        waste_kg=mass * rules.waste_fraction,
        machine_time_h=cycle_s / 3600,
        tooling_cost=tooling,
        basis=(
            f"mould: {rules.mould_base_cost:g} base + {projected * 1e4:.4g} cm^2 projected at "
            f"{rules.mould_cost_per_m2 / 1e4:g}/cm^2"
            + (f" + {side_actions:g} side action for undercuts" if side_actions else ""),
            f"cycle: {rules.base_cycle_s:g} s + {rules.cooling_s_per_mm2:g} s/mm^2 x "
            f"({wall_mm:.3g} mm nominal wall)^2 = {cycle_s:.4g} s",
            f"waste: {rules.waste_fraction:.0%} of the part for runners and sprue",
        ),
    )
    return breakdown(lines, rules, material, quantity=quantity, part=part)
