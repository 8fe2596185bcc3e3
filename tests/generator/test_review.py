"""The reviewer's funnel and the writer's loop with other writers than the families'."""

from __future__ import annotations

import random
from typing import Any

import pytest

from arena_core.cad import run_cad
from arena_core.events import Envelope, Payload
from arena_core.events.benchmark import (
    BenchmarkJobRequested,
    BenchmarkReviewStageCompleted,
    ReviewReasonKind,
    ReviewStage,
)
from arena_core.events.llm import TextBlock, ToolResultBlock, ToolUseBlock
from arena_core.llm import Decision, LlmRequest, make_llm, tool_use_id
from arena_core.spec import Mesh, Plane, Sphere, world_aabb
from generator.assemble import scene_spec
from generator.families import FAMILIES, family, spec_from_draft
from generator.families.base import Draft
from generator.layout import Solid, cad_code
from generator.review import Reviewer
from generator.writer import SUBMIT, write_benchmark
from tests.generator.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="package")


def _reviewer(stack: Stack, draft: Draft, emitted: list[Payload]) -> Reviewer:
    async def emit(payload: Payload) -> None:
        emitted.append(payload)

    request = Envelope.new(BenchmarkJobRequested(family=draft.family, seed=draft.seed))
    return Reviewer(stack.bus, stack.sandbox, request, emit, draft, timeout_s=60)


def _writer(scene_code: str, reference_code: str) -> Any:
    """An offline writer that submits the same two scripts until they are accepted."""

    def decide(request: LlmRequest, rng: random.Random) -> Decision:
        last = request.messages[-1].content[-1]
        if isinstance(last, ToolResultBlock) and not last.is_error:
            return [TextBlock(text="done")]
        return [
            ToolUseBlock(
                id=tool_use_id(request, 0),
                name=SUBMIT,
                input={"scene_code": scene_code, "reference_code": reference_code},
            )
        ]

    return decide


async def _write(stack: Stack, draft: Draft, scene: str, reference: str) -> Any:
    emitted: list[Payload] = []
    llm = make_llm(stack.settings, deciders={"generator": _writer(scene, reference)})
    llm = llm.bind(_collect(emitted))
    outcome = await write_benchmark(
        llm, _reviewer(stack, draft, emitted), conversation_id="test/writer", max_attempts=2
    )
    return outcome, emitted


def _collect(emitted: list[Payload]) -> Any:
    async def emit(payload: Payload) -> None:
        emitted.append(payload)

    return emit


async def test_broken_cad_code_is_rejected_at_stage_code(stack: Stack) -> None:
    draft = family("hold_load").draw(1)
    broken = "from arena_cad import Part\n\ndef build():\n    return [Part('x', 1 / 0)]\n"
    outcome, emitted = await _write(stack, draft, broken, draft.reference_code())
    verdict = outcome.verdicts[-1]
    assert not verdict.accepted
    assert verdict.stage is ReviewStage.code
    assert verdict.reasons[0].kind is ReviewReasonKind.cad_rejected
    assert verdict.reasons[0].code == "code_error"
    stages = [p for p in emitted if isinstance(p, BenchmarkReviewStageCompleted)]
    assert [(s.stage, s.passed) for s in stages] == [(ReviewStage.code, False)] * 2


async def test_a_benchmark_that_solves_itself_is_rejected_as_trivial(stack: Stack) -> None:
    draft = family("ball_to_goal").draw(4)
    goal = draft.frame.goal
    assert goal.kind == "reach_zone"
    above_goal = Solid(
        name="ball", role="dynamic", material="rubber", shape=Sphere(radius=0.03),
        at=(goal.zone.center[0], 0.0, 0.5),
    )  # fmt: skip
    scenery = [s for s in draft.scene if s.name != "ball"]
    scene = cad_code([*scenery, above_goal], purpose="a ball dropped straight into the goal")
    outcome, _ = await _write(stack, draft, scene, draft.reference_code())
    verdict = outcome.verdicts[-1]
    assert verdict.stage is ReviewStage.not_trivial
    assert [r.kind for r in verdict.reasons] == [ReviewReasonKind.trivial]
    assert verdict.empty_success_rate == 1.0


async def test_the_writer_reads_the_rejection_reasons(stack: Stack) -> None:
    draft = family("bridge_gap").draw(2)
    outcome, emitted = await _write(stack, draft, "def build(:\n", draft.reference_code())
    results = [p for p in emitted if type(p).__name__ == "AgentToolCompleted"]
    assert len(outcome.verdicts) == 2
    assert all(r.is_error and "rejected at stage code" in r.result for r in results)


@pytest.mark.parametrize("name", sorted(FAMILIES))
async def test_a_family_scene_script_maps_back_onto_its_layout(stack: Stack, name: str) -> None:
    draft = family(name).draw(8)
    result = await run_cad(draft.scene_code(), sandbox=stack.sandbox, tolerance_m=1e-3)
    assert result.ok, result.rejections
    spec, assembled = scene_spec(draft, result)
    expected = spec_from_draft(draft)
    assert assembled.meshes == ()
    assert len(spec.static_objects) == len(expected.static_objects)
    for got, want in zip(
        spec.static_objects[1:] + spec.dynamic_objects,
        expected.static_objects[1:] + expected.dynamic_objects,
        strict=True,
    ):
        assert got.label == want.label and got.material == want.material
        # A box may come back with its axes relabelled: compare what it occupies.
        assert not isinstance(got.geometry, Mesh | Plane)
        assert not isinstance(want.geometry, Mesh | Plane)
        assert got.geometry.kind == want.geometry.kind
        assert got.geometry.volume() == pytest.approx(want.geometry.volume(), rel=1e-5)
        got_box = world_aabb(got.geometry, got.pose)
        want_box = world_aabb(want.geometry, want.pose)
        assert got_box[0] + got_box[1] == pytest.approx(want_box[0] + want_box[1], abs=1e-5)
