"""The benchmark spec: strict models, jitter, and contradictions found before simulation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from arena_core.spec import (
    BenchmarkSpec,
    Box,
    Contradiction,
    DynamicObject,
    HoldAbove,
    Jitter,
    Pose,
    Sphere,
    StaticObject,
    Zone,
)
from arena_core.spec.examples import ball_to_goal, ramp_solution


def change(spec: BenchmarkSpec, **fields: object) -> BenchmarkSpec:
    """A copy of ``spec`` with fields replaced, validated again."""
    return BenchmarkSpec.model_validate({**spec.model_dump(), **fields})


def reasons(spec: BenchmarkSpec) -> set[Contradiction]:
    return {issue.reason for issue in spec.contradictions()}


def test_the_example_spec_is_consistent_and_round_trips_through_json() -> None:
    spec = ball_to_goal(seed=3)
    assert spec.contradictions() == []
    assert BenchmarkSpec.model_validate_json(spec.model_dump_json()) == spec


def test_unknown_fields_are_rejected() -> None:
    data = ball_to_goal().model_dump()
    data["gravity_boost"] = 2
    with pytest.raises(ValidationError, match="gravity_boost"):
        BenchmarkSpec.model_validate(data)


def test_non_finite_numbers_are_rejected() -> None:
    with pytest.raises(ValidationError, match="finite"):
        Pose(pos=(0.0, float("nan"), 0.0))


def test_a_zone_must_have_positive_extent() -> None:
    with pytest.raises(ValidationError, match="high must exceed low"):
        Zone(label="flat", low=(0, 0, 0), high=(1, 1, 0))


def test_jittered_starts_are_deterministic_and_within_the_jitter() -> None:
    spec = ball_to_goal(seed=5, copies=8)
    starts = spec.payload_starts()
    assert starts == ball_to_goal(seed=5, copies=8).payload_starts()
    assert len({s.pos for s in starts}) == 8
    assert all(abs(s.pos[0]) <= 0.01 and abs(s.pos[1]) <= 0.01 for s in starts)
    assert starts != ball_to_goal(seed=6, copies=8).payload_starts()


def test_duplicate_labels_are_a_contradiction() -> None:
    spec = ball_to_goal()
    wall = StaticObject(
        label="ball",
        geometry=Box(half_size=(0.1, 0.1, 0.1)),
        pose=Pose.at(1.3, 0, 0.1),
        material="steel",
    )
    assert Contradiction.duplicate_label in reasons(
        change(spec, static_objects=(*spec.static_objects, wall))
    )


def test_a_goal_inside_a_forbid_zone_is_a_contradiction() -> None:
    spec = ball_to_goal()
    lava = Zone(label="lava", low=(0.7, -0.3, -0.1), high=(0.8, 0.3, 0.1))
    assert reasons(change(spec, forbid_zones=(lava,))) == {Contradiction.goal_in_forbid_zone}


def test_a_payload_starting_outside_the_bounds_is_a_contradiction() -> None:
    spec = ball_to_goal()
    ball = spec.dynamic_objects[0].model_copy(update={"pose": Pose.at(0, 0, 0.99)})
    assert reasons(change(spec, dynamic_objects=(ball,))) == {Contradiction.payload_outside_bounds}


def test_jitter_that_can_push_the_payload_out_of_bounds_is_a_contradiction() -> None:
    spec = change(ball_to_goal(), jitter=Jitter(position=(0, 0, 0.6), copies=2))
    assert Contradiction.payload_outside_bounds in reasons(spec)


def test_a_payload_starting_in_the_build_zone_is_a_contradiction() -> None:
    spec = ball_to_goal()
    ball = spec.dynamic_objects[0].model_copy(update={"pose": Pose.at(0.1, 0, 0.2)})
    assert reasons(change(spec, dynamic_objects=(ball,))) == {Contradiction.payload_in_build_zone}


def test_a_payload_starting_in_a_forbid_zone_is_a_contradiction() -> None:
    spec = ball_to_goal()
    ball = spec.dynamic_objects[0].model_copy(update={"pose": Pose.at(-0.6, 0, 0.04)})
    assert Contradiction.payload_in_forbid_zone in reasons(change(spec, dynamic_objects=(ball,)))


def test_a_build_zone_outside_the_world_is_unreachable() -> None:
    spec = change(ball_to_goal(), build_zone=Zone(label="build", low=(5, 5, 5), high=(6, 6, 6)))
    assert reasons(spec) == {Contradiction.build_zone_unreachable}


def test_a_build_zone_filled_by_a_static_block_is_unreachable() -> None:
    spec = ball_to_goal()
    block = StaticObject(
        label="block",
        geometry=Box(half_size=(0.4, 0.3, 0.3)),
        pose=Pose.at(0.15, 0, 0.2),
        material="steel",
    )
    assert Contradiction.build_zone_unreachable in reasons(
        change(spec, static_objects=(*spec.static_objects, block))
    )


def test_a_goal_naming_no_dynamic_object_is_a_contradiction() -> None:
    spec = ball_to_goal()
    goal = HoldAbove(object="crate", height=0.5, hold_s=1, within_s=3)
    assert Contradiction.unknown_object in reasons(change(spec, goal=goal))


def test_an_unknown_material_is_a_contradiction() -> None:
    spec = ball_to_goal()
    ball = DynamicObject(
        label="ball", geometry=Sphere(radius=0.03), pose=Pose.at(0, 0, 0.5), material="unobtainium"
    )
    assert reasons(change(spec, dynamic_objects=(ball,))) == {Contradiction.unknown_material}


def test_a_payload_already_in_the_goal_is_a_contradiction() -> None:
    spec = ball_to_goal()
    ball = spec.dynamic_objects[0].model_copy(update={"pose": Pose.at(0.75, 0, 0.1)})
    assert Contradiction.goal_met_at_start in reasons(change(spec, dynamic_objects=(ball,)))


def test_solution_part_names_must_be_unique() -> None:
    part = ramp_solution().parts[0]
    with pytest.raises(ValidationError, match="duplicate part names: ramp"):
        type(ramp_solution())(parts=(part, part))
