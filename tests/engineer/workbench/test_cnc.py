"""CNC milling: internal corner radius against the cutter, and tool access."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engineer.workbench import CncRules, Mesh, ViolationKind, check_manufacturability

THREE_MM_TOOL = CncRules(tool_radius_m=0.003)


def test_a_pocket_with_sharp_corners_fails_once_per_corner_at_the_corner(
    mesh: Callable[[str], Mesh],
) -> None:
    report = check_manufacturability(mesh("sharp_pocket"), THREE_MM_TOOL, material="aluminium")

    assert {v.kind for v in report.violations} == {ViolationKind.sharp_internal_corner}
    assert len(report.violations) == 4
    corners = sorted(
        (round(v.location[0], 4), round(v.location[1], 4)) for v in report.violations if v.location
    )
    assert corners == [(-0.015, -0.01), (-0.015, 0.01), (0.015, -0.01), (0.015, 0.01)]
    assert all(v.value == 0.0 and v.limit == 0.003 for v in report.violations)


def test_a_pocket_filleted_wider_than_the_tool_passes(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("filleted_pocket"), THREE_MM_TOOL, material="aluminium")

    assert report.manufacturable, report.violations
    assert report.measurements.min_internal_radius_m == pytest.approx(0.004, rel=0.02)


def test_a_fillet_tighter_than_the_tool_fails_with_its_radius(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("tight_pocket"), THREE_MM_TOOL)

    assert len(report.violations) == 4
    assert all(v.value == pytest.approx(0.002, rel=0.02) for v in report.violations)


def test_a_smaller_tool_mills_the_tight_fillet(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("tight_pocket"), CncRules(tool_radius_m=0.0015))

    assert report.manufacturable, report.violations


def test_pocket_floors_are_not_corners_for_a_flat_end_mill(mesh: Callable[[str], Mesh]) -> None:
    # The floor meets the walls along horizontal edges, which a flat end mill cuts square.
    report = check_manufacturability(mesh("filleted_pocket"), THREE_MM_TOOL)

    assert all(v.kind is not ViolationKind.sharp_internal_corner for v in report.violations)


def test_a_side_hole_is_out_of_reach_of_a_three_axis_mill(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("side_hole"), THREE_MM_TOOL)

    assert {v.kind for v in report.violations} == {ViolationKind.undercut}


def test_a_hole_along_the_tool_axis_is_reachable(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("through_hole"), THREE_MM_TOOL)

    assert report.manufacturable, report.violations


def test_the_walls_of_a_thin_cup_are_below_the_mill_minimum(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("thin_cup"), THREE_MM_TOOL)

    assert ViolationKind.thin_wall in {v.kind for v in report.violations}
