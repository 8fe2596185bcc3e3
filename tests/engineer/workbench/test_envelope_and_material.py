"""Fitting the machine and using a material the process accepts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engineer.workbench import (
    CncRules,
    FdmRules,
    LaserRules,
    Mesh,
    ViolationKind,
    check_manufacturability,
)


def test_a_bar_longer_than_the_build_volume_does_not_fit_the_printer(
    mesh: Callable[[str], Mesh],
) -> None:
    report = check_manufacturability(mesh("long_bar"), FdmRules())

    (violation,) = report.violations
    assert violation.kind is ViolationKind.exceeds_envelope
    assert violation.value == pytest.approx(0.3, abs=1e-6)
    assert violation.limit == 0.25


def test_a_part_fits_a_machine_in_any_orientation(mesh: Callable[[str], Mesh]) -> None:
    # 300 x 20 x 20 mm fits 100 x 320 x 40 mm turned on its side.
    report = check_manufacturability(mesh("long_bar"), FdmRules(envelope_m=(0.1, 0.32, 0.04)))

    assert report.manufacturable, report.violations


def test_a_material_the_process_cannot_use_is_a_violation(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("filleted_pocket"), CncRules(), material="pla")

    (violation,) = report.violations
    assert violation.kind is ViolationKind.material_not_allowed
    assert "aluminium" in violation.message


def test_a_plywood_profile_one_sheet_thick_is_laser_cut(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("laser_plate"), LaserRules(), material="plywood")

    assert report.manufacturable, report.violations


def test_a_block_is_not_a_laser_profile(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("side_hole"), LaserRules())

    assert {v.kind for v in report.violations} == {
        ViolationKind.exceeds_envelope,
        ViolationKind.wrong_sheet_thickness,
        ViolationKind.not_a_profile,
    }


def test_each_process_lists_the_rules_it_checked(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("thick_cup"), FdmRules())

    assert set(report.checked) == {
        ViolationKind.exceeds_envelope,
        ViolationKind.material_not_allowed,
        ViolationKind.thin_wall,
        ViolationKind.overhang,
    }
