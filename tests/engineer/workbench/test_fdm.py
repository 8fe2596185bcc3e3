"""FDM printing: minimum wall and unsupported overhangs on real meshes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engineer.workbench import FdmRules, Mesh, ViolationKind, check_manufacturability


def kinds(mesh: Mesh, rules: FdmRules) -> set[ViolationKind]:
    return {v.kind for v in check_manufacturability(mesh, rules).violations}


def test_a_cup_with_walls_thinner_than_the_minimum_fails_with_the_measured_wall(
    mesh: Callable[[str], Mesh],
) -> None:
    report = check_manufacturability(mesh("thin_cup"), FdmRules(), part="thin_cup")

    (violation,) = report.violations
    assert violation.kind is ViolationKind.thin_wall
    assert violation.value == pytest.approx(0.0008, abs=1e-6)
    assert violation.limit == 0.0012
    assert violation.unit == "m"
    # Every wall and the floor are thin: nearly the whole surface but the rim.
    assert violation.area_fraction is not None and violation.area_fraction > 0.9
    assert not report.manufacturable


def test_a_cup_with_two_millimetre_walls_prints(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("thick_cup"), FdmRules(), material="pla")

    assert report.manufacturable, report.violations
    assert report.measurements.min_wall_m == pytest.approx(0.002, abs=1e-6)


def test_the_thin_wall_location_lies_on_the_part(mesh: Callable[[str], Mesh]) -> None:
    (violation,) = check_manufacturability(mesh("thin_cup"), FdmRules()).violations

    assert violation.location is not None and violation.region is not None
    low, high = mesh("thin_cup").bounds
    assert all(
        lo - 1e-9 <= c <= hi + 1e-9 for c, lo, hi in zip(violation.location, low, high, strict=True)
    )


def test_a_plate_overhanging_sixty_degrees_fails_the_forty_five_degree_rule(
    mesh: Callable[[str], Mesh],
) -> None:
    report = check_manufacturability(mesh("steep_plate"), FdmRules())

    (violation,) = report.violations
    assert violation.kind is ViolationKind.overhang
    assert violation.value == pytest.approx(60.0, abs=0.01)
    assert violation.limit == 45.0
    # The underside: 40 x 30 mm of the plate's 2 x 1200 + 2 x 160 + 2 x 120 mm^2 surface.
    assert violation.area_m2 == pytest.approx(0.04 * 0.03, rel=1e-4)
    assert violation.area_fraction == pytest.approx(1200 / 2960, rel=1e-4)


def test_a_plate_at_forty_five_degrees_prints_without_support(mesh: Callable[[str], Mesh]) -> None:
    assert kinds(mesh("gentle_plate"), FdmRules()) == set()


def test_a_higher_overhang_limit_accepts_the_sixty_degree_plate(
    mesh: Callable[[str], Mesh],
) -> None:
    assert kinds(mesh("steep_plate"), FdmRules(max_overhang_deg=61)) == set()


def test_faces_resting_on_the_bed_are_not_overhangs(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("thick_cup"), FdmRules())

    assert report.measurements.overhang_area_m2 == 0.0


def test_printing_along_another_direction_turns_the_cup_floor_into_an_overhang(
    mesh: Callable[[str], Mesh],
) -> None:
    upside_down = FdmRules(build_direction=(0, 0, -1))

    report = check_manufacturability(mesh("thick_cup"), upside_down)

    (violation,) = report.violations
    assert violation.kind is ViolationKind.overhang
    # Upside down, the inside floor (36 x 36 mm) hangs over the cavity.
    assert violation.area_m2 == pytest.approx(0.036 * 0.036, rel=1e-4)
