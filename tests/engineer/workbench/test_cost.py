"""Cost breakdowns checked against hand calculations from the parts' exact dimensions."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from arena_core.spec import STANDARD_MATERIALS, Material
from engineer.workbench import (
    CncRules,
    FdmRules,
    LaserRules,
    Mesh,
    MouldingRules,
    estimate_cost,
)

MATERIALS = {m.name: m for m in STANDARD_MATERIALS}
PLA, ABS, ALUMINIUM, PLYWOOD = (MATERIALS[n] for n in ("pla", "abs", "aluminium", "plywood"))

CUP_VOLUME = 0.04 * 0.04 * 0.03 - 0.036 * 0.036 * 0.028
"""The thick cup: 40 x 40 x 30 mm outside, 36 x 36 x 28 mm cavity."""


def test_fdm_cost_is_material_waste_print_time_and_setup(mesh: Callable[[str], Mesh]) -> None:
    cost = estimate_cost(mesh("thick_cup"), FdmRules(), PLA, quantity=1)

    mass = CUP_VOLUME * 1240
    hours = CUP_VOLUME / 15e-6
    assert cost.mass_kg == pytest.approx(mass, rel=1e-6)
    assert cost.material_cost == pytest.approx(mass * 25, rel=1e-6)
    assert cost.waste_cost == pytest.approx(mass * 25 * 0.05, rel=1e-6)
    assert cost.machine_time_h == pytest.approx(hours, rel=1e-6)
    assert cost.machine_cost == pytest.approx(hours * 3, rel=1e-6)
    assert cost.unit_cost == pytest.approx(mass * 25 * 1.05 + hours * 3 + 5, rel=1e-6)


def test_cnc_cost_buys_a_stock_block_and_machines_the_rest_away(
    mesh: Callable[[str], Mesh],
) -> None:
    cost = estimate_cost(mesh("sharp_pocket"), CncRules(), ALUMINIUM, quantity=4)

    part = 0.05 * 0.04 * 0.02 - 0.03 * 0.02 * 0.01
    stock = 0.054 * 0.044 * 0.024
    area = 2 * (0.05 * 0.04 + 0.05 * 0.02 + 0.04 * 0.02) + 2 * (0.03 + 0.02) * 0.01
    hours = (stock - part) / 300e-6 + area / 0.05
    assert cost.material_cost == pytest.approx(part * 2700 * 8, rel=1e-6)
    assert cost.waste_cost == pytest.approx((stock - part) * 2700 * 8, rel=1e-6)
    assert cost.machine_time_h == pytest.approx(hours, rel=1e-6)
    assert cost.setup_cost_per_unit == pytest.approx(100 / 4)
    assert cost.unit_cost == pytest.approx(stock * 2700 * 8 + hours * 60 + 25, rel=1e-6)


def test_moulding_tooling_is_amortised_over_the_quantity(mesh: Callable[[str], Mesh]) -> None:
    few = estimate_cost(mesh("thick_cup"), MouldingRules(), ABS, quantity=100)
    many = estimate_cost(mesh("thick_cup"), MouldingRules(), ABS, quantity=10_000)

    # Projected along +z: the rim (40^2 - 36^2 mm^2) and the cavity floor (36^2 mm^2).
    tooling = 5000 + 200_000 * 0.04 * 0.04
    assert few.tooling_cost == many.tooling_cost == pytest.approx(tooling, rel=1e-6)
    assert few.tooling_cost_per_unit == pytest.approx(tooling / 100, rel=1e-6)
    assert many.tooling_cost_per_unit == pytest.approx(tooling / 10_000, rel=1e-6)
    assert few.unit_cost - many.unit_cost == pytest.approx(
        (tooling + 500) * (1 / 100 - 1 / 10_000), rel=1e-6
    )
    assert many.batch_cost == pytest.approx(many.unit_cost * 10_000)


def test_moulding_cycle_cools_the_nominal_wall(mesh: Callable[[str], Mesh]) -> None:
    cost = estimate_cost(mesh("thick_cup"), MouldingRules(), ABS, quantity=1000)

    mass = CUP_VOLUME * 1040
    cycle_s = 10 + 2.0 * 2.0**2  # 2 mm walls
    tooling = 5000 + 200_000 * 0.04 * 0.04
    expected = mass * 22 * 1.1 + cycle_s / 3600 * 40 + (500 + tooling) / 1000
    assert cost.machine_time_h == pytest.approx(cycle_s / 3600, rel=1e-4)
    assert cost.unit_cost == pytest.approx(expected, rel=1e-4)


def test_undercuts_add_a_side_action_to_the_mould(mesh: Callable[[str], Mesh]) -> None:
    plain = estimate_cost(mesh("through_hole"), MouldingRules(), ABS)
    undercut = estimate_cost(mesh("side_hole"), MouldingRules(), ABS)

    # Both are 40 x 30 mm seen along the pull, one with a 10 mm hole through it.
    assert plain.tooling_cost == pytest.approx(
        5000 + 200_000 * (0.04 * 0.03 - math.pi * 0.005**2), rel=1e-3
    )
    assert undercut.tooling_cost == pytest.approx(5000 + 200_000 * 0.04 * 0.03 + 2000, rel=1e-6)


def test_laser_cost_buys_the_sheet_rectangle_and_cuts_the_profile(
    mesh: Callable[[str], Mesh],
) -> None:
    cost = estimate_cost(mesh("laser_plate"), LaserRules(), PLYWOOD, quantity=10)

    cut_m = 2 * (0.1 + 0.06) + 2 * math.pi * 0.01
    sheet = 0.1 * 0.06 * 0.006
    assert cost.machine_time_h == pytest.approx(cut_m / 36, rel=2e-3)
    assert cost.material_cost + cost.waste_cost == pytest.approx(sheet * 600 * 4, rel=1e-6)
    assert cost.setup_cost_per_unit == pytest.approx(1.0)


def test_a_free_material_costs_only_machine_time_and_setup(mesh: Callable[[str], Mesh]) -> None:
    free = Material(name="scrap", density=1000, cost_per_kg=0)

    cost = estimate_cost(mesh("thick_cup"), FdmRules(), free)

    assert cost.material_cost == cost.waste_cost == 0.0
    assert cost.unit_cost == pytest.approx(cost.machine_cost + 5)


def test_a_quantity_below_one_is_refused(mesh: Callable[[str], Mesh]) -> None:
    with pytest.raises(ValueError, match="quantity"):
        estimate_cost(mesh("thick_cup"), FdmRules(), PLA, quantity=0)
