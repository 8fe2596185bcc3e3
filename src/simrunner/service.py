"""The ``simrunner`` service: validation and sim jobs over the bus.

MuJoCo work runs in a worker thread (MuJoCo's rollout releases the GIL), while the
handler keeps the message alive with heartbeats.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from arena_core.bus import Delivery, HandlerRejected
from arena_core.events.sim import (
    JobFailure,
    MjcfScene,
    SimJobFailed,
    SimJobRequested,
    SimValidateCompleted,
    SimValidateRequested,
    SpecScene,
)
from arena_core.service import Service, handles
from arena_core.spec import BenchmarkSpec, Mesh, Solution
from simrunner.limits import Limits
from simrunner.meshes import MeshLibrary
from simrunner.mjcf import build_mjcf
from simrunner.simulate import SimTimeLimitError, SpecContradictionError, simulate
from simrunner.validate import validate_scene, validate_text

T = TypeVar("T")
"""How often a long job tells JetStream it is still being worked on."""


class Rejection:
    """Reasons (``HandlerRejected.reason``) for requests that can never succeed."""

    spec_contradiction = "spec_contradiction"
    bad_mesh = "bad_mesh"
    missing_mesh = "missing_mesh"
    bad_file = "bad_file"


def _library(spec: BenchmarkSpec, solution: Solution | None, blobs: Any) -> MeshLibrary:
    try:
        library = MeshLibrary.from_blobs(blobs)
    except ValueError as exc:
        raise HandlerRejected(str(exc), Rejection.bad_mesh) from None
    geometries: list[object] = [o.geometry for o in spec.static_objects]
    geometries += [o.geometry for o in spec.dynamic_objects]
    geometries += [m.geometry for m in spec.motors]
    geometries += [p.geometry for p in (solution.parts if solution else ())]
    missing = sorted({g.sha256 for g in geometries if isinstance(g, Mesh)} - library.hashes())
    if missing:
        raise HandlerRejected(
            f"meshes referenced but not attached: {', '.join(s[:12] for s in missing)}",
            Rejection.missing_mesh,
        )
    return library


def _contradictions(spec: BenchmarkSpec) -> None:
    issues = spec.contradictions()
    if issues:
        raise HandlerRejected(
            "; ".join(f"{i.reason}: {i.detail}" for i in issues), Rejection.spec_contradiction
        )


class SimRunnerService(Service):
    """Validates MJCF scenes and judges solutions in MuJoCo."""

    name: ClassVar[str] = "simrunner"
    default_concurrency: ClassVar[int] = 2

    @property
    def limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    async def _off_loop(self, delivery: Delivery[Any], work: Callable[[], T]) -> T:
        """Run MuJoCo in a thread; the pull worker heartbeats the message meanwhile."""
        return await asyncio.to_thread(work)

    @handles(SimValidateRequested)
    async def on_validate(self, delivery: Delivery[SimValidateRequested]) -> None:
        scene = delivery.payload.scene
        limits = self.limits
        if isinstance(scene, SpecScene):
            _contradictions(scene.spec)
            meshes = _library(scene.spec, scene.solution, scene.meshes)
            built = build_mjcf(scene.spec, scene.solution)
            report = await self._off_loop(delivery, lambda: validate_scene(built, meshes, limits))
            await delivery.emit(
                SimValidateCompleted(
                    report=report, mjcf_sha256=built.sha256, mjcf=built.xml.decode()
                )
            )
            return
        assert isinstance(scene, MjcfScene)
        try:
            files = {f.path: base64.b64decode(f.data_b64, validate=True) for f in scene.files}
        except binascii.Error as exc:
            raise HandlerRejected(
                f"attached file is not base64: {exc}", Rejection.bad_file
            ) from None
        text = scene.xml
        report = await self._off_loop(delivery, lambda: validate_text(text, files, limits))
        await delivery.emit(
            SimValidateCompleted(
                report=report, mjcf_sha256=hashlib.sha256(text.encode()).hexdigest()
            )
        )

    @handles(SimJobRequested)
    async def on_job(self, delivery: Delivery[SimJobRequested]) -> None:
        request = delivery.payload
        _contradictions(request.spec)
        meshes = _library(request.spec, request.solution, request.meshes)
        limits = self.limits
        try:
            result = await self._off_loop(
                delivery,
                lambda: simulate(
                    request.spec,
                    request.solution,
                    meshes,
                    limits,
                    with_mjcf=not request.preview,
                    until_first_failure=request.until_first_failure,
                ),
            )
        except SpecContradictionError as exc:
            raise HandlerRejected(str(exc), Rejection.spec_contradiction) from None
        except SimTimeLimitError as exc:
            await delivery.emit(SimJobFailed(reason=JobFailure.resource_limit, detail=str(exc)))
            return
        await delivery.emit(result)
