"""Cost lines shared by the processes: material, waste, machine time, setup and tooling."""

from __future__ import annotations

from dataclasses import dataclass

from arena_core.spec import Material
from engineer.workbench.report import CostBreakdown
from engineer.workbench.rules import AnyRules


@dataclass(frozen=True)
class CostLines:
    """What one process estimates for one unit, before setup and tooling are shared out."""

    mass_kg: float
    """Mass of the part."""
    waste_kg: float
    """Material bought beyond the part."""
    machine_time_h: float
    """Machine hours per unit."""
    tooling_cost: float
    """Tooling for the whole batch."""
    basis: tuple[str, ...]
    """How the process computed its lines."""


def breakdown(
    lines: CostLines, rules: AnyRules, material: Material, *, quantity: int, part: str
) -> CostBreakdown:
    """Price the lines at ``rules``' machine rate and share its setup and the tooling over
    ``quantity`` units."""
    machine_rate_per_h, setup_cost = rules.machine_rate_per_h, rules.setup_cost
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, not {quantity}")
    material_cost = material.price_of(lines.mass_kg)
    waste_cost = material.price_of(lines.waste_kg)
    machine_cost = lines.machine_time_h * machine_rate_per_h
    setup_per_unit = setup_cost / quantity
    tooling_per_unit = lines.tooling_cost / quantity
    unit_cost = material_cost + waste_cost + machine_cost + setup_per_unit + tooling_per_unit
    basis = (
        f"material: {lines.mass_kg:.6g} kg of {material.name} at {material.cost_per_kg:g}/kg",
        f"waste: {lines.waste_kg:.6g} kg at {material.cost_per_kg:g}/kg",
        f"machine: {lines.machine_time_h:.6g} h at {machine_rate_per_h:g}/h",
        f"setup: {setup_cost:g} per batch of {quantity}",
        f"tooling: {lines.tooling_cost:g} per batch of {quantity}",
        *lines.basis,
    )
    return CostBreakdown(
        part=part,
        process=rules.process,
        material=material.name,
        quantity=quantity,
        mass_kg=lines.mass_kg,
        material_cost=material_cost,
        waste_cost=waste_cost,
        machine_time_h=lines.machine_time_h,
        machine_cost=machine_cost,
        setup_cost=setup_cost,
        tooling_cost=lines.tooling_cost,
        setup_cost_per_unit=setup_per_unit,
        tooling_cost_per_unit=tooling_per_unit,
        unit_cost=unit_cost,
        batch_cost=unit_cost * quantity,
        basis=basis,
    )
