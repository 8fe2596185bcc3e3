"""Mass estimates from mesh volume and density, against the CAD kernel's exact values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arena_core.cad import CadResult
from arena_core.spec import STANDARD_MATERIALS
from engineer.workbench import Mesh, estimate_mass

STEEL = next(m for m in STANDARD_MATERIALS if m.name == "steel")


def test_a_flat_faced_part_weighs_its_exact_volume_times_density(
    mesh: Callable[[str], Mesh], cad_parts: CadResult
) -> None:
    estimate = estimate_mass(mesh("thick_cup"), STEEL, part="thick_cup")

    exact = cad_parts.part("thick_cup")
    assert estimate.volume_m3 == pytest.approx(exact.volume_m3, rel=1e-6)
    assert estimate.mass_kg == pytest.approx(exact.volume_m3 * 7850, rel=1e-6)
    assert estimate.centre_of_mass_m == pytest.approx(exact.centre_of_mass_m, abs=1e-7)


def test_a_curved_part_weighs_within_the_tessellation_error(
    mesh: Callable[[str], Mesh], cad_parts: CadResult
) -> None:
    estimate = estimate_mass(mesh("side_hole"), STEEL)

    assert estimate.mass_kg == pytest.approx(cad_parts.part("side_hole").volume_m3 * 7850, rel=1e-3)


def test_the_estimate_reports_the_parts_size(mesh: Callable[[str], Mesh]) -> None:
    estimate = estimate_mass(mesh("long_bar"), STEEL)

    assert estimate.extent_m == pytest.approx((0.3, 0.02, 0.02), abs=1e-7)
