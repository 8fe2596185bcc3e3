"""CNC milling: machine travel, material, minimum wall, tool access, internal corner radii;
machining cost from a stock block."""

from __future__ import annotations

from arena_core.cad.mesh import Mesh
from arena_core.spec import Material
from engineer.workbench import checks, geometry
from engineer.workbench.cost import CostLines, breakdown
from engineer.workbench.report import CostBreakdown, ManufacturabilityReport, ViolationKind
from engineer.workbench.rules import CncRules

CHECKED = (
    ViolationKind.exceeds_envelope,
    ViolationKind.material_not_allowed,
    ViolationKind.thin_wall,
    ViolationKind.undercut,
    ViolationKind.sharp_internal_corner,
)
"""The rules a milled part is judged by."""


def check(
    mesh: Mesh, rules: CncRules, *, part: str, material: str | None
) -> ManufacturabilityReport:
    """Can a 3-axis mill, cutting from both ends of ``tool_axis``, make this part?"""
    walls = geometry.wall_thickness(mesh)
    hidden_area, hidden = checks.undercuts(
        mesh, rules.tool_axis, what="the cutter on both ends of the tool axis"
    )
    tightest, corners = checks.tight_corners(mesh, rules.tool_axis, rules.tool_radius_m)
    return checks.report(
        mesh, rules, part=part, material=material, checked=CHECKED,
        machine="mill's travel", maker="the mill", found=[hidden, *corners],
        walls=walls, undercut_area_m2=hidden_area, min_internal_radius_m=tightest,
    )  # fmt: skip


def cost(
    mesh: Mesh, rules: CncRules, material: Material, *, quantity: int, part: str
) -> CostBreakdown:
    """Cut from a block with ``stock_allowance_m`` all round: rough the rest away, finish the
    surface."""
    volume = mesh.volume
    x, y, z = (float(e) + 2 * rules.stock_allowance_m for e in mesh.extents)
    stock = x * y * z
    removed = max(0.0, stock - volume)
    area = mesh.surface_area
    rough_h = removed / rules.removal_rate_m3_per_h
    finish_h = area / rules.finishing_rate_m2_per_h
    lines = CostLines(
        mass_kg=material.mass_of(volume),
        waste_kg=material.mass_of(removed),
        machine_time_h=rough_h + finish_h,
        tooling_cost=0.0,
        basis=(
            f"stock: {checks.dims((x, y, z))} block ({stock * 1e6:.4g} cm^3)",
            f"roughing: {removed * 1e6:.4g} cm^3 at {rules.removal_rate_m3_per_h * 1e6:g} "
            f"cm^3/h = {rough_h:.4g} h",
            f"finishing: {area * 1e4:.4g} cm^2 at {rules.finishing_rate_m2_per_h * 1e4:g} "
            f"cm^2/h = {finish_h:.4g} h",
        ),
    )
    return breakdown(lines, rules, material, quantity=quantity, part=part)
