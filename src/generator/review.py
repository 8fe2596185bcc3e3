"""The reviewer's funnel: code runs, MJCF valid, physics sane, solvable, not trivial.

Every stage that runs emits ``benchmark.review.stage.completed``; the first stage that
fails ends the review with its typed reasons. The simulation stages ask the simrunner
over the bus (``bus.request``); nothing here imports it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from arena_core.bus import Bus, RequestFailed
from arena_core.cad import CadResult, run_cad
from arena_core.errors import ArenaError
from arena_core.events import Envelope, Payload
from arena_core.events.benchmark import (
    BenchmarkReviewStageCompleted,
    ReviewReason,
    ReviewReasonKind,
    ReviewStage,
    Triviality,
)
from arena_core.events.sim import (
    MeshBlob,
    SimFailureKind,
    SimJobCompleted,
    SimJobFailed,
    SimJobRequested,
    SimValidateCompleted,
    SimValidateRequested,
    SpecScene,
    ValidationFailureKind,
    ValidationReport,
)
from arena_core.sandbox import Sandbox
from arena_core.spec import BenchmarkSpec, Solution
from generator.assemble import AssemblyError, cad_reasons, reference_solution, scene_spec
from generator.families.base import Draft
from generator.triviality import RANDOM_DESIGNS, is_trivial, measure

MESH_TOLERANCE_M = 1e-3
"""Mesher tolerance of benchmark CAD: primitives are recognized from exact B-rep
properties, so the STL only has to be good enough for parts that stay meshes."""
MESH_ANGULAR_TOLERANCE_RAD = 0.5

MJCF_KINDS = frozenset(
    {
        ValidationFailureKind.xml_syntax,
        ValidationFailureKind.schema,
        ValidationFailureKind.missing_asset,
        ValidationFailureKind.compile,
        ValidationFailureKind.resource_limit,
    }
)
"""Validation failures that make the MJCF itself invalid (the rest are physics)."""


def spec_sha256(spec: BenchmarkSpec) -> str:
    """SHA-256 of the spec's canonical JSON (sorted keys)."""
    return hashlib.sha256(
        orjson.dumps(spec.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


@dataclass
class Verdict:
    """The outcome of one review."""

    stage: ReviewStage
    """The last stage that ran."""
    reasons: tuple[ReviewReason, ...] = ()
    """Why that stage failed (empty when accepted)."""
    spec: BenchmarkSpec | None = None
    solution: Solution | None = None
    scene_meshes: tuple[MeshBlob, ...] = ()
    reference_meshes: tuple[MeshBlob, ...] = ()
    scene_cad: CadResult | None = None
    reference_cad: CadResult | None = None
    mjcf: str | None = None
    validation: ValidationReport | None = None
    reference_result: SimJobCompleted | None = None
    empty_success_rate: float = 0.0
    triviality: Triviality | None = None
    stages: list[BenchmarkReviewStageCompleted] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.stage is ReviewStage.not_trivial and not self.reasons

    def summary(self) -> str:
        """The verdict in words, as the code writer reads it."""
        if self.accepted:
            return "accepted: the reference solves every copy and the bare benchmark fails"
        lines = [f"rejected at stage {self.stage.value}:"]
        lines += [
            f"- [{r.kind.value}{'/' + r.code if r.code else ''}] {r.detail}" for r in self.reasons
        ]
        return "\n".join(lines)


class StageFailed(ArenaError):
    """A review stage found reasons to reject the attempt; ``reasons`` lists them."""

    def __init__(self, reasons: list[ReviewReason]) -> None:
        super().__init__(f"{len(reasons)} reasons")
        self.reasons = reasons


Emit = Callable[[Payload], Awaitable[object]]


@dataclass
class Reviewer:
    """Runs the funnel for submissions of one job."""

    bus: Bus
    sandbox: Sandbox
    request: Envelope[Any]
    """The job request: sim requests follow it (same run and thread)."""
    emit: Emit
    """Publishes stage events (``delivery.emit``)."""
    draft: Draft
    """The family's frame (and, for the procedural writer, its layouts)."""
    timeout_s: float = 120.0
    """How long one simrunner request may take."""
    random_designs: int = RANDOM_DESIGNS
    """N of the random-design triviality check (0 skips it)."""

    async def review(self, attempt: int, scene_code: str, reference_code: str) -> Verdict:
        verdict = Verdict(stage=ReviewStage.code)
        stages = (
            (ReviewStage.code, self._code),
            (ReviewStage.mjcf, self._mjcf),
            (ReviewStage.physics, self._physics),
            (ReviewStage.solvable, self._solvable),
            (ReviewStage.not_trivial, self._not_trivial),
        )
        for stage, run in stages:
            verdict.stage = stage
            started = time.perf_counter()
            try:
                await run(verdict, scene_code, reference_code)
                reasons: list[ReviewReason] = []
            except StageFailed as failed:
                reasons = failed.reasons
            event = BenchmarkReviewStageCompleted(
                family=self.draft.family, seed=self.draft.seed, attempt=attempt, stage=stage,
                passed=not reasons, reasons=tuple(reasons),
                wall_s=time.perf_counter() - started,
                triviality=verdict.triviality if stage is ReviewStage.not_trivial else None,
            )  # fmt: skip
            verdict.stages.append(event)
            await self.emit(event)
            if reasons:
                verdict.reasons = tuple(reasons)
                return verdict
        return verdict

    # -- stages ---------------------------------------------------------------------

    async def _code(self, v: Verdict, scene_code: str, reference_code: str) -> None:
        scene, reference = await asyncio.gather(self._cad(scene_code), self._cad(reference_code))
        v.scene_cad, v.reference_cad = scene, reference
        reasons = cad_reasons(scene, "scene") + cad_reasons(reference, "reference")
        if reasons:
            raise StageFailed(reasons)
        try:
            v.spec, scene_parts = scene_spec(self.draft, scene)
            v.scene_meshes = scene_parts.meshes
            v.solution, reference_parts = reference_solution(v.spec, reference)
            v.reference_meshes = reference_parts.meshes
        except AssemblyError as exc:
            raise StageFailed(list(exc.reasons)) from None

    async def _cad(self, code: str) -> CadResult:
        return await run_cad(
            code,
            sandbox=self.sandbox,
            tolerance_m=MESH_TOLERANCE_M,
            angular_tolerance_rad=MESH_ANGULAR_TOLERANCE_RAD,
        )

    async def _mjcf(self, v: Verdict, scene_code: str, reference_code: str) -> None:
        assert v.spec is not None
        issues = v.spec.contradictions()
        if issues:
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.spec_contradiction, code=i.reason.value,
                        detail=i.detail, subjects=i.labels,
                    )
                    for i in issues
                ]
            )  # fmt: skip
        scene = SpecScene(spec=v.spec, meshes=v.scene_meshes)
        reply = await self._ask(SimValidateRequested(scene=scene), [SimValidateCompleted])
        assert isinstance(reply, SimValidateCompleted)
        v.mjcf = reply.mjcf
        v.validation = reply.report
        self._failures(
            [f for f in reply.report.failures if f.kind in MJCF_KINDS],
            ReviewReasonKind.invalid_mjcf,
        )

    async def _physics(self, v: Verdict, scene_code: str, reference_code: str) -> None:
        assert v.validation is not None
        self._failures(
            [f for f in v.validation.failures if f.kind not in MJCF_KINDS],
            ReviewReasonKind.unsound_physics,
        )

    def _failures(self, failures: list[Any], kind: ReviewReasonKind) -> None:
        if failures:
            raise StageFailed(
                [
                    ReviewReason(kind=kind, code=f.kind.value, detail=f.message,
                                 subjects=f.subjects)
                    for f in failures
                ]
            )  # fmt: skip

    async def _solvable(self, v: Verdict, scene_code: str, reference_code: str) -> None:
        assert v.spec is not None and v.solution is not None
        result = await self._simulate(v.spec, v.solution, v.scene_meshes + v.reference_meshes)
        v.reference_result = result
        if result.passed:
            return
        reasons = []
        for f in result.failures:
            if f.kind is SimFailureKind.constraint_violation:
                continue
            where = f" (copy {f.copy_index})" if f.copy_index is not None else ""
            reasons.append(
                ReviewReason(
                    kind=ReviewReasonKind.reference_failed, code=f.kind.value,
                    detail=f"reference{where}: {f.message}", subjects=f.subjects,
                )
            )  # fmt: skip
        for violation in result.scoring.violations:
            reasons.append(
                ReviewReason(
                    kind=ReviewReasonKind.reference_violates_constraints,
                    code=violation.kind.value, detail=violation.message,
                    subjects=(violation.part,) if violation.part else (),
                )
            )  # fmt: skip
        raise StageFailed(reasons or [_unexplained("the reference did not pass")])

    async def _not_trivial(self, v: Verdict, scene_code: str, reference_code: str) -> None:
        assert v.spec is not None
        result = await self._simulate(v.spec, Solution(), v.scene_meshes)
        v.empty_success_rate = result.metrics.success_rate
        if any(f.kind is SimFailureKind.invalid_scene for f in result.failures):
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.unsound_physics, code=f.kind.value,
                        detail=f"bare benchmark: {f.message}",
                    )
                    for f in result.failures
                ]
            )  # fmt: skip
        solved = [c.copy_index for c in result.metrics.copies if c.success]
        if solved:
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.trivial,
                        detail=f"with no parts at all the goal is met on copies {solved} of "
                        f"{len(result.metrics.copies)}: the benchmark solves itself",
                        subjects=(v.spec.goal.object,),
                    )
                ]
            )
        if self.random_designs <= 0:
            return
        spec = v.spec

        async def simulate(solution: Solution) -> SimJobCompleted | None:
            try:
                return await self._simulate(
                    spec, solution, v.scene_meshes, until_first_failure=True
                )
            except StageFailed:
                return None  # no verdict: counts as a design that did not pass

        v.triviality = await measure(spec, simulate, self.random_designs, seed=spec.seed)
        if is_trivial(v.triviality):
            t = v.triviality
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.trivial, code="random_designs",
                        detail=f"{t.passes} of {t.designs} random designs ({t.rate:.0%}) meet "
                        f"the goal on every copy (threshold {t.threshold:.0%})",
                        subjects=(spec.goal.object,),
                    )
                ]
            )  # fmt: skip

    # -- simrunner ------------------------------------------------------------------

    async def _simulate(
        self,
        spec: BenchmarkSpec,
        solution: Solution,
        meshes: tuple[MeshBlob, ...],
        *,
        until_first_failure: bool = False,
    ) -> SimJobCompleted:
        unique = tuple({m.sha256: m for m in meshes}.values())
        request = SimJobRequested(
            spec=spec, solution=solution, meshes=unique, until_first_failure=until_first_failure
        )
        reply = await self._ask(request, [SimJobCompleted, SimJobFailed])
        if isinstance(reply, SimJobFailed):
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.simulation_unavailable, code=reply.reason.value,
                        detail=reply.detail,
                    )
                ]
            )  # fmt: skip
        assert isinstance(reply, SimJobCompleted)
        return reply

    async def _ask(self, payload: Payload, replies: list[type[Payload]]) -> Payload:
        envelope = self.request.follow(payload)
        try:
            reply = await self.bus.request(envelope, replies, timeout=self.timeout_s)
        except RequestFailed as exc:
            detail = getattr(exc.reply.payload, "detail", str(exc))
            raise StageFailed(
                [
                    ReviewReason(
                        kind=ReviewReasonKind.simulation_unavailable,
                        code=getattr(exc.reply.payload, "reason", None),
                        detail=f"the simrunner refused the request: {detail}"[:4000],
                    )
                ]
            ) from None
        payload_out: Payload = reply.payload
        return payload_out


def _unexplained(detail: str) -> ReviewReason:
    return ReviewReason(kind=ReviewReasonKind.reference_failed, detail=detail)
