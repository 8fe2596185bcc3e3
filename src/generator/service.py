"""The ``generator`` service: ``benchmark.job.requested`` in, reviewed benchmarks out.

Per job: draw the family's frame from the seed, let the code writer submit CAD scripts
to the reviewer's funnel (bounded attempts), then publish the accepted benchmark's
files as artifacts and emit ``benchmark.created`` (spec only) and
``benchmark.reference.recorded`` (the reference), or ``benchmark.rejected``; the job
ends with ``benchmark.job.completed`` or ``benchmark.job.failed``.
"""

from __future__ import annotations

from typing import ClassVar

from arena_core.bus import Delivery, HandlerRejected
from arena_core.bus.artifacts import publish_artifact
from arena_core.events import Envelope
from arena_core.events.artifacts import ArtifactRef
from arena_core.events.benchmark import (
    BenchmarkCreated,
    BenchmarkJobCompleted,
    BenchmarkJobFailed,
    BenchmarkJobRequested,
    BenchmarkReferenceRecorded,
    BenchmarkRejected,
    JobFailureReason,
)
from arena_core.llm import BudgetExceeded, Llm, LlmError, TurnLimitReached
from arena_core.sandbox import Sandbox
from arena_core.service import Service, handles
from generator.families import UnknownFamily, family, pick_family
from generator.review import Reviewer, Verdict, spec_sha256
from generator.writer import DECIDERS, SubmitBenchmark, write_benchmark


class Rejection:
    """Reasons (``HandlerRejected.reason``) for jobs that can never succeed."""

    unknown_family = "unknown_family"


class GeneratorService(Service):
    """Generates benchmarks: procedural families or an LLM writing CAD code, then review."""

    name: ClassVar[str] = "generator"
    default_concurrency: ClassVar[int] = 2

    async def setup(self) -> None:
        self.sandbox: Sandbox = self.container.sandbox()
        self.llm: Llm = self.container.llm(deciders=DECIDERS)

    async def teardown(self) -> None:
        await self.llm.aclose()

    @handles(BenchmarkJobRequested)
    async def on_job(self, delivery: Delivery[BenchmarkJobRequested]) -> None:
        job = delivery.payload
        try:
            fam = family(job.family) if job.family else pick_family(job.seed)
        except UnknownFamily as exc:
            raise HandlerRejected(str(exc), Rejection.unknown_family) from None
        draft = fam.draw(job.seed, job.difficulty)
        reviewer = Reviewer(
            bus=self.bus,
            sandbox=self.sandbox,
            request=delivery.envelope,
            emit=delivery.emit,
            draft=draft,
            timeout_s=self.settings.request_timeout_s,
        )
        llm = self.llm.bind(delivery.emit)
        try:
            outcome = await write_benchmark(
                llm,
                reviewer,
                conversation_id=f"{delivery.envelope.id}/writer",
                max_attempts=job.max_attempts,
            )
        except (LlmError, BudgetExceeded, TurnLimitReached) as exc:
            await delivery.emit(
                BenchmarkJobFailed(
                    family=fam.name, seed=job.seed, reason=JobFailureReason.llm_failed,
                    detail=str(exc)[:4000], attempts=0,
                )
            )  # fmt: skip
            return
        accepted = outcome.accepted
        if accepted is not None:
            await self._accept(delivery, *accepted, attempts=len(outcome.verdicts))
            return
        await self._reject(delivery, fam.name, outcome.verdicts)

    async def _reject(
        self, delivery: Delivery[BenchmarkJobRequested], family_name: str, verdicts: list[Verdict]
    ) -> None:
        job = delivery.payload
        if not verdicts:
            await delivery.emit(
                BenchmarkJobFailed(
                    family=family_name, seed=job.seed, reason=JobFailureReason.llm_failed,
                    detail="the writer never submitted a benchmark", attempts=0,
                )
            )  # fmt: skip
            return
        last = verdicts[-1]
        await delivery.emit(
            BenchmarkRejected(
                family=family_name, seed=job.seed, stage=last.stage, reasons=last.reasons,
                attempts=len(verdicts),
            )
        )  # fmt: skip
        await delivery.emit(
            BenchmarkJobFailed(
                family=family_name, seed=job.seed, reason=JobFailureReason.rejected,
                stage=last.stage, detail=last.summary()[:4000], attempts=len(verdicts),
            )
        )  # fmt: skip

    async def _accept(
        self,
        delivery: Delivery[BenchmarkJobRequested],
        verdict: Verdict,
        code: SubmitBenchmark,
        *,
        attempts: int,
    ) -> None:
        spec, solution, result = verdict.spec, verdict.solution, verdict.reference_result
        assert spec is not None and solution is not None and result is not None
        assert verdict.scene_cad is not None and verdict.reference_cad is not None
        digest = spec_sha256(spec)
        benchmark_id = f"{spec.family}-{digest[:16]}"
        folder = f"benchmarks/{benchmark_id}"
        envelope = delivery.envelope

        async def store(data: bytes, name: str, media_type: str) -> ArtifactRef:
            return await publish_artifact(
                self.bus, data, run_id=envelope.run_id, name=f"{folder}/{name}",
                media_type=media_type, correlation_id=envelope.correlation_id,
                causation_id=envelope.id, agent=self.agent,
            )  # fmt: skip

        scene_ref = await store(code.scene_code.encode(), "scene.py", "text/x-python")
        mjcf_ref = await store((verdict.mjcf or "").encode(), "scene.xml", "application/xml")
        mesh_refs = tuple(
            [
                await store(p.mesh_stl, f"meshes/{p.name}.stl", "model/stl")
                for p in verdict.scene_cad.parts
            ]
        )
        reference_ref = await store(
            code.reference_code.encode(), "reference/solution.py", "text/x-python"
        )
        for part in verdict.reference_cad.parts:
            await store(part.mesh_stl, f"reference/{part.name}.stl", "model/stl")
        await delivery.emit(
            BenchmarkCreated(
                benchmark_id=benchmark_id, spec=spec, spec_sha256=digest,
                meshes=verdict.scene_meshes, scene_code=scene_ref, mjcf=mjcf_ref,
                mesh_files=mesh_refs, attempts=attempts, policy=self.llm.policy_name,
                empty_success_rate=verdict.empty_success_rate,
                triviality=verdict.triviality,
            )
        )  # fmt: skip
        await delivery.emit(
            BenchmarkReferenceRecorded(
                benchmark_id=benchmark_id, spec_sha256=digest, solution=solution,
                meshes=verdict.reference_meshes, code=reference_ref,
                success_rate=result.metrics.success_rate,
                total_cost=result.scoring.total_cost,
                total_mass_kg=result.scoring.total_mass_kg,
            )
        )  # fmt: skip
        await delivery.emit(
            BenchmarkJobCompleted(
                benchmark_id=benchmark_id, family=spec.family, seed=spec.seed,
                spec_sha256=digest, attempts=attempts,
            )
        )  # fmt: skip


def job_envelope(
    request: BenchmarkJobRequested, *, run_id: str | None = None
) -> Envelope[BenchmarkJobRequested]:
    """A new job request envelope (its id is the job id)."""
    return Envelope.new(request, run_id=run_id)
