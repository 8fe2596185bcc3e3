"""Injection moulding: draft along the pull and undercuts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engineer.workbench import Mesh, MouldingRules, ViolationKind, check_manufacturability


def test_a_part_with_a_side_hole_has_an_undercut_around_the_hole(
    mesh: Callable[[str], Mesh],
) -> None:
    report = check_manufacturability(mesh("side_hole"), MouldingRules())

    (undercut,) = [v for v in report.violations if v.kind is ViolationKind.undercut]
    assert undercut.region is not None
    # The hole runs along x at z = 10 mm with a 5 mm radius.
    assert undercut.region.low[2] >= 0.005 - 1e-6
    assert undercut.region.high[2] <= 0.015 + 1e-6
    assert undercut.area_m2 is not None and undercut.area_m2 > 0


def test_a_hole_along_the_pull_is_no_undercut(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("through_hole"), MouldingRules())

    assert ViolationKind.undercut not in {v.kind for v in report.violations}


def test_vertical_walls_without_draft_fail_with_their_area(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("through_hole"), MouldingRules())

    (draft,) = [v for v in report.violations if v.kind is ViolationKind.insufficient_draft]
    assert draft.value == pytest.approx(0.0, abs=1e-3)
    assert draft.limit == 1.0
    # Outer walls 2 x (40 + 30) x 20 mm^2 plus the bore, 2 pi 5 x 20 mm^2 (as facets).
    assert draft.area_m2 == pytest.approx(0.0028 + 2 * 3.14159 * 0.005 * 0.02, rel=0.01)


def test_a_tapered_boss_releases_from_a_straight_pull_mould(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("drafted_boss"), MouldingRules(), material="abs")

    assert report.manufacturable, report.violations
    assert report.measurements.low_draft_area_m2 == 0.0


def test_more_draft_than_the_taper_fails_the_boss(mesh: Callable[[str], Mesh]) -> None:
    report = check_manufacturability(mesh("drafted_boss"), MouldingRules(min_draft_deg=3))

    (draft,) = report.violations
    assert draft.value == pytest.approx(2.0, abs=0.01)
