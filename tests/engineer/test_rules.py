"""The rules the team's algorithms stand on: refusal proofs and legal template designs."""

from __future__ import annotations

import random

import pytest

from arena_core.events.engineer import ProofKind
from arena_core.spec import HoldAbove, Pose
from arena_core.spec.examples import ball_to_goal
from engineer.catalogue import TEMPLATES, decode, templates_for
from engineer.proofs import check_proof, provable_refusals
from engineer.scene import Scene, fabrication


def test_a_solvable_benchmark_proves_no_refusal() -> None:
    assert provable_refusals(ball_to_goal()) == []


def test_a_mass_limit_below_one_sheet_cube_is_proved_and_the_proof_checks() -> None:
    spec = ball_to_goal()
    tiny = spec.model_copy(
        update={"constraints": spec.constraints.model_copy(update={"max_mass": 1e-5})}
    )
    (proof,) = provable_refusals(tiny)
    assert proof.kind is ProofKind.mass_lower_bound
    assert proof.bound == pytest.approx(600 * 0.006**3)
    assert check_proof(tiny, proof) == []


def test_an_inflated_bound_is_rejected_even_when_the_refusal_holds() -> None:
    spec = ball_to_goal()
    tiny = spec.model_copy(
        update={"constraints": spec.constraints.model_copy(update={"max_mass": 1e-5})}
    )
    (proof,) = provable_refusals(tiny)
    inflated = proof.model_copy(update={"bound": proof.bound * 10})
    assert any("exceeds what the spec proves" in p for p in check_proof(tiny, inflated))


def test_a_goal_above_the_payload_start_without_motors_is_unreachable() -> None:
    spec = ball_to_goal()
    high = spec.model_copy(
        update={"goal": HoldAbove(object="ball", height=0.8, hold_s=0.5, within_s=2.0)}
    )
    kinds = {p.kind for p in provable_refusals(high)}
    assert ProofKind.goal_above_start in kinds


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_decoded_design_fits_the_build_zone_and_the_process(template: str) -> None:
    spec = ball_to_goal()
    if template == "support":
        spec = spec.model_copy(
            update={"goal": HoldAbove(object="ball", height=0.3, hold_s=0.5, within_s=2.0)}
        )
    fab = fabrication(spec)
    rng = random.Random(template)
    for _ in range(50):
        genome = tuple(rng.random() for _ in range(TEMPLATES[template][1]))
        design = decode(spec, template, genome)
        if design is None:
            continue
        for plate in design.plates:
            low, high = plate.bounds()
            assert spec.build_zone.contains_box(low, high)
            assert fab.fits(plate.size)
            assert min(plate.size) == pytest.approx(fab.thickness) or template == "pusher"


def test_a_support_stands_off_centre_by_its_last_two_genes() -> None:
    spec = ball_to_goal()
    spec = spec.model_copy(
        update={"goal": HoldAbove(object="ball", height=0.3, hold_s=0.5, within_s=2.0)}
    )
    radius = Scene.of(spec).radius
    centred = decode(spec, "support", (0.2, 1.0, 0.5, 0.5, 0.5))
    moved = decode(spec, "support", (0.2, 1.0, 0.5, 0.6, 0.4))
    assert centred is not None and moved is not None
    start = Scene.of(spec).start
    for plate in centred.plates:
        assert plate.center[:2] == pytest.approx(start[:2])
    for before, after in zip(centred.plates, moved.plates, strict=True):
        assert after.center[0] - before.center[0] == pytest.approx(0.2 * radius)
        assert after.center[1] - before.center[1] == pytest.approx(-0.2 * radius)
        assert after.center[2] == pytest.approx(before.center[2])


def test_the_same_genome_gives_the_same_script_and_id() -> None:
    spec = ball_to_goal()
    a = decode(spec, "chute", (0.5,) * 6)
    b = decode(spec, "chute", (0.5,) * 6)
    assert a is not None and b is not None
    assert (a.code(), a.placements(), a.design_id) == (b.code(), b.placements(), b.design_id)


def test_templates_follow_the_goal_and_the_scene() -> None:
    spec = ball_to_goal()
    assert templates_for(spec)[0] == "chute"
    moved = spec.model_copy(
        update={
            "dynamic_objects": (
                spec.dynamic_objects[0].model_copy(update={"pose": Pose.at(-0.5, 0.0, 0.5)}),
            )
        }
    )
    assert templates_for(moved)[0] == "deck"


def test_generated_code_is_linted_with_named_rules() -> None:
    from engineer.tools import lint

    linter, problems = lint("def build():\n    return [Part('x', shape)]\n")
    assert linter in ("ruff", "compile")
    if linter == "ruff":
        assert {p.code for p in problems} == {"F821"}
        assert {p.line for p in problems} == {2}
