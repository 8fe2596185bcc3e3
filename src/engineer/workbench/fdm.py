"""FDM 3D printing: build volume, material, minimum wall, unsupported overhangs; print cost."""

from __future__ import annotations

from arena_core.cad.mesh import Mesh
from arena_core.spec import Material
from engineer.workbench import checks, geometry
from engineer.workbench.cost import CostLines, breakdown
from engineer.workbench.report import CostBreakdown, ManufacturabilityReport, ViolationKind
from engineer.workbench.rules import FdmRules

CHECKED = (
    ViolationKind.exceeds_envelope,
    ViolationKind.material_not_allowed,
    ViolationKind.thin_wall,
    ViolationKind.overhang,
)
"""The rules a print is judged by."""


def check(
    mesh: Mesh, rules: FdmRules, *, part: str, material: str | None
) -> ManufacturabilityReport:
    """Can the printer make this part standing on its lowest face along ``build_direction``?"""
    walls = geometry.wall_thickness(mesh)
    overhang_area, overhang = checks.overhangs(mesh, rules.build_direction, rules.max_overhang_deg)
    return checks.report(
        mesh, rules, part=part, material=material, checked=CHECKED,
        machine="printer's build volume", maker="the printer", found=[overhang],
        walls=walls, overhang_area_m2=overhang_area,
    )  # fmt: skip


def cost(
    mesh: Mesh, rules: FdmRules, material: Material, *, quantity: int, part: str
) -> CostBreakdown:
    """Solid print: time is volume over the deposition rate; purge and skirt are waste."""
    volume = mesh.volume
    mass = material.mass_of(volume)
    hours = volume / rules.deposition_rate_m3_per_h
    lines = CostLines(
        mass_kg=mass,
        waste_kg=mass * rules.waste_fraction,
        machine_time_h=hours,
        tooling_cost=0.0,
        basis=(
            f"print time: {volume * 1e6:.4g} cm^3 at {rules.deposition_rate_m3_per_h * 1e6:g} "
            "cm^3/h",
            f"waste: {rules.waste_fraction:.0%} of the part for purge and skirt",
        ),
    )
    return breakdown(lines, rules, material, quantity=quantity, part=part)
