"""Workbench rules from a benchmark's process rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from arena_core.spec import ProcessRules
from engineer.workbench import CncRules, FdmRules, LaserRules, MouldingRules, rules_for


def test_the_benchmark_limits_replace_the_defaults() -> None:
    spec = ProcessRules.fdm().model_copy(
        update={"max_extent": (0.1, 0.1, 0.1), "min_thickness": 0.002}
    )

    rules = rules_for(spec)

    assert isinstance(rules, FdmRules)
    assert rules.envelope_m == (0.1, 0.1, 0.1)
    assert rules.min_wall_m == 0.002
    assert rules.max_overhang_deg == FdmRules().max_overhang_deg


def test_each_spec_process_has_its_workbench() -> None:
    assert isinstance(rules_for(ProcessRules.cnc()), CncRules)
    assert isinstance(rules_for(ProcessRules.laser(0.004)), LaserRules)
    assert rules_for(ProcessRules.laser(0.004)).envelope_m == (0.6, 0.4, 0.004)


def test_directions_are_normalised() -> None:
    assert MouldingRules(pull_direction=(0, 0, 5)).pull_direction == (0.0, 0.0, 1.0)


def test_a_zero_direction_is_refused() -> None:
    with pytest.raises(ValidationError, match="non-zero"):
        FdmRules(build_direction=(0, 0, 0))
