"""One entry point per question, whatever the process: can it be made, what does it cost,
what does it weigh."""

from __future__ import annotations

from typing import assert_never

from arena_core.cad.mesh import Mesh
from arena_core.spec import Material
from engineer.workbench import checks, cnc, fdm, laser, moulding
from engineer.workbench.report import CostBreakdown, ManufacturabilityReport, MassEstimate
from engineer.workbench.rules import AnyRules, CncRules, FdmRules, LaserRules, MouldingRules


def check_manufacturability(
    mesh: Mesh, rules: AnyRules, *, part: str = "part", material: str | None = None
) -> ManufacturabilityReport:
    """Judge ``mesh`` against ``rules``; every broken rule is a typed violation."""
    if isinstance(rules, FdmRules):
        return fdm.check(mesh, rules, part=part, material=material)
    if isinstance(rules, CncRules):
        return cnc.check(mesh, rules, part=part, material=material)
    if isinstance(rules, MouldingRules):
        return moulding.check(mesh, rules, part=part, material=material)
    if isinstance(rules, LaserRules):
        return laser.check(mesh, rules, part=part, material=material)
    assert_never(rules)


def estimate_cost(
    mesh: Mesh, rules: AnyRules, material: Material, *, quantity: int = 1, part: str = "part"
) -> CostBreakdown:
    """What one unit of ``mesh`` costs in a batch of ``quantity``, line by line."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, not {quantity}")
    if isinstance(rules, FdmRules):
        return fdm.cost(mesh, rules, material, quantity=quantity, part=part)
    if isinstance(rules, CncRules):
        return cnc.cost(mesh, rules, material, quantity=quantity, part=part)
    if isinstance(rules, MouldingRules):
        return moulding.cost(mesh, rules, material, quantity=quantity, part=part)
    if isinstance(rules, LaserRules):
        return laser.cost(mesh, rules, material, quantity=quantity, part=part)
    assert_never(rules)


def estimate_mass(mesh: Mesh, material: Material, *, part: str = "part") -> MassEstimate:
    """Mesh volume times the material's density, with the centre of mass."""
    volume = mesh.volume
    return MassEstimate(
        part=part,
        material=material.name,
        density_kg_m3=material.density,
        volume_m3=volume,
        mass_kg=material.mass_of(volume),
        centre_of_mass_m=mesh.centre_of_volume,
        extent_m=checks.point(mesh.extents),
    )
