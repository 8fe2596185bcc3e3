"""Sim jobs on real MuJoCo: goals, failures, determinism, scoring."""

from __future__ import annotations

import pickle

import pytest

from arena_core.events.sim import SimFailureKind, ValidationFailureKind, ViolationKind
from arena_core.spec import (
    BenchmarkSpec,
    Box,
    HoldAbove,
    Keyframe,
    Mesh,
    Motor,
    Pose,
    Solution,
    SolutionPart,
    Zone,
)
from arena_core.spec.examples import ball_to_goal, ramp_solution
from simrunner.meshes import MeshLibrary, box_stl
from simrunner.mjcf import build_mjcf
from simrunner.simulate import SpecContradictionError, simulate
from simrunner.validate import validate_scene


def kinds(result: object) -> set[SimFailureKind]:
    return {f.kind for f in result.failures}  # type: ignore[attr-defined]


def test_the_emitted_scene_passes_strict_validation() -> None:
    report = validate_scene(build_mjcf(ball_to_goal(), ramp_solution()), MeshLibrary())
    assert report.valid, report.failures
    assert report.outside_subset == ()


def test_a_ramp_rolls_the_ball_into_the_goal_on_every_copy() -> None:
    result = simulate(ball_to_goal(), ramp_solution())
    assert result.passed, result.failures
    assert result.metrics.success_rate == 1.0
    for copy in result.metrics.copies:
        assert copy.time_to_goal_s is not None and 0 < copy.time_to_goal_s < 3.0
        assert copy.final_poses[0].name == "ball"
        assert 0.6 <= copy.final_poses[0].pos[0] <= 0.9


def test_without_a_solution_the_ball_times_out() -> None:
    result = simulate(ball_to_goal(copies=2))
    assert not result.passed
    assert kinds(result) == {SimFailureKind.timeout}
    assert [c.steps for c in result.metrics.copies] == [1500, 1500]


def test_two_runs_of_the_same_job_are_identical() -> None:
    first = simulate(ball_to_goal(seed=11), ramp_solution())
    second = simulate(ball_to_goal(seed=11), ramp_solution())
    timing = {"wall_s", "steps_per_s"}
    assert first.metrics.model_dump(exclude=timing) == second.metrics.model_dump(exclude=timing)
    assert first.model_dump(exclude={"metrics"}) == second.model_dump(exclude={"metrics"})


def test_until_first_failure_a_failing_design_costs_one_copy() -> None:
    full = simulate(ball_to_goal(copies=4))
    first = simulate(ball_to_goal(copies=4), until_first_failure=True)
    assert not first.passed and first.failures == full.failures[:1]
    assert first.metrics.copies == full.metrics.copies[:1]
    assert (first.metrics.copies_skipped, full.metrics.copies_skipped) == (3, 0)
    assert first.metrics.steps == full.metrics.steps // 4


def test_until_first_failure_a_passing_design_runs_every_copy() -> None:
    full = simulate(ball_to_goal(copies=4), ramp_solution())
    first = simulate(ball_to_goal(copies=4), ramp_solution(), until_first_failure=True)
    assert first.passed and full.passed
    assert len(first.metrics.copies) == 4 and first.metrics.copies_skipped == 0
    assert [c.time_to_goal_s for c in first.metrics.copies] == pytest.approx(
        [c.time_to_goal_s for c in full.metrics.copies], abs=0.01
    )


def test_a_ramp_sloping_backwards_drops_the_ball_into_the_forbid_zone() -> None:
    result = simulate(ball_to_goal(), ramp_solution(pitch=-0.5))
    assert kinds(result) == {SimFailureKind.forbid_zone}
    assert {f.subjects for f in result.failures} == {("dynamic/ball", "pit")}


def test_leaving_the_world_is_out_of_bounds() -> None:
    spec = ball_to_goal(copies=1)
    spec = spec.model_copy(
        update={
            "forbid_zones": (),
            "bounds": Zone(label="world", low=(-0.3, -0.5, -0.1), high=(1.5, 0.5, 1.0)),
        }
    )
    result = simulate(spec, ramp_solution(pitch=-0.5))
    assert kinds(result) == {SimFailureKind.out_of_bounds}
    assert result.failures[0].subjects == ("dynamic/ball",)


def test_a_contradictory_spec_is_refused_before_simulating() -> None:
    spec = ball_to_goal()
    lava = Zone(label="lava", low=(0.7, -0.3, -0.1), high=(0.8, 0.3, 0.1))
    with pytest.raises(SpecContradictionError) as caught:
        simulate(spec.model_copy(update={"forbid_zones": (lava,)}))
    assert caught.value.issues[0].reason == "goal_in_forbid_zone"
    # A simulator process pool sends the error back pickled: it must survive the trip.
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.issues == caught.value.issues and str(again) == str(caught.value)


def test_a_part_overlapping_the_payload_makes_the_scene_invalid() -> None:
    spec = ball_to_goal()
    crate = spec.dynamic_objects[0].model_copy(
        update={
            "label": "crate",
            "geometry": Box(half_size=(0.05, 0.05, 0.05)),
            "pose": Pose.at(0.3, 0.0, 0.05),
        }
    )
    spec = spec.model_copy(update={"dynamic_objects": (*spec.dynamic_objects, crate)})
    block = SolutionPart(
        name="block",
        geometry=Box(half_size=(0.05, 0.05, 0.05)),
        pose=Pose.at(0.3, 0.0, 0.12),
        material="plywood",
    )
    result = simulate(spec, Solution(parts=(block,)))
    assert SimFailureKind.invalid_scene in kinds(result)
    assert ValidationFailureKind.interpenetration in result.validation.kinds()
    assert result.metrics.copies == ()


def test_cost_and_mass_are_recomputed_not_trusted() -> None:
    steel = ramp_solution(material="steel")
    result = simulate(ball_to_goal(), steel)
    part = result.scoring.parts[0]
    assert part.mass_kg == pytest.approx(0.5 * 0.2 * 0.006 * 7850)
    violations = {v.kind for v in result.scoring.violations}
    assert ViolationKind.over_mass in violations
    assert ViolationKind.process_rule in violations  # a laser cutter cannot cut steel
    assert SimFailureKind.constraint_violation in kinds(result)
    assert not result.passed


def test_a_part_outside_the_build_zone_violates_placement() -> None:
    part = ramp_solution().parts[0].model_copy(update={"pose": Pose.at(0.15, 0, 0.7)})
    result = simulate(ball_to_goal(), Solution(parts=(part,)))
    assert ViolationKind.outside_build_zone in {v.kind for v in result.scoring.violations}


def test_a_mesh_part_is_scored_from_its_triangles() -> None:
    meshes = MeshLibrary()
    sha = meshes.add(box_stl((0.25, 0.1, 0.003)))
    ramp = ramp_solution().parts[0].model_copy(update={"geometry": Mesh(sha256=sha)})
    result = simulate(ball_to_goal(), Solution(parts=(ramp,)), meshes)
    assert result.passed, result.failures
    assert result.scoring.parts[0].volume_m3 == pytest.approx(0.5 * 0.2 * 0.006, rel=1e-5)


def lift_spec(torque_limit: float, push: float) -> BenchmarkSpec:
    """A slide motor that must lift a crate above 0.3 m and hold it for a second."""
    base = ball_to_goal(copies=1)
    lift = Motor(
        label="lift",
        joint="slide",
        axis=(0, 0, 1),
        range=(0.0, 0.5),
        pose=Pose.at(0.6, 0.0, 0.02),
        geometry=Box(half_size=(0.1, 0.1, 0.02)),
        material="aluminium",
        control="torque",
        torque_limit=torque_limit,
        schedule=(Keyframe(t=0, value=push),),
    )
    crate = base.dynamic_objects[0].model_copy(
        update={
            "label": "crate",
            "geometry": Box(half_size=(0.05, 0.05, 0.05)),
            "pose": Pose.at(0.6, 0.0, 0.091),
            "material": "plywood",
        }
    )
    return base.model_copy(
        update={
            "dynamic_objects": (crate,),
            "motors": (lift,),
            "forbid_zones": (),
            "goal": HoldAbove(object="crate", height=0.3, hold_s=1.0, within_s=3.0),
        }
    )


def test_a_motor_lifts_a_load_and_holds_it_above_the_height() -> None:
    result = simulate(lift_spec(torque_limit=100, push=80))
    assert result.passed, result.failures
    assert result.metrics.copies[0].time_to_goal_s is not None


def test_a_motor_pushing_at_its_limit_too_long_is_overloaded() -> None:
    spec = lift_spec(torque_limit=5, push=5)  # too weak to lift: it stalls at its limit
    result = simulate(spec)
    assert kinds(result) == {SimFailureKind.motor_overload}
    assert result.failures[0].subjects == ("lift",)
