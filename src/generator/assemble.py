"""From measured CAD parts to a spec (scene) and a solution (reference), with typed reasons.

Scene scripts give parts the role ``static`` (scenery fixed to the world) or
``dynamic`` (a free body; the payload is one). Reference scripts give ``fixed``
(welded to the world) or ``on_<motor>`` (riding on that motor's moving part). A part's
density names its material: it must equal the density of one of the benchmark's
materials. Shapes map to primitives or meshes as ``generator.primitives`` explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from arena_core.cad import CadPart, CadResult
from arena_core.errors import ArenaError
from arena_core.events.benchmark import ReviewReason, ReviewReasonKind
from arena_core.events.sim import MeshBlob
from arena_core.spec import (
    BenchmarkSpec,
    DynamicObject,
    Material,
    Mesh,
    Pose,
    SolidGeometry,
    Solution,
    SolutionPart,
    StaticObject,
)
from generator.families.base import FIXED_ROLE, Draft, frame_spec, motor_of, scene_object
from generator.primitives import recognize

DENSITY_TOLERANCE = 1e-6
"""Relative difference under which a part's density names a material."""


class AssemblyError(ArenaError, ValueError):
    """The parts cannot form the benchmark or the solution."""

    def __init__(self, reasons: list[ReviewReason]) -> None:
        super().__init__("; ".join(r.detail for r in reasons))
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class Assembled:
    """A spec or a solution with the meshes it refers to."""

    meshes: tuple[MeshBlob, ...]
    """STL files of the parts that travel as meshes."""
    mesh_parts: tuple[CadPart, ...]
    """Every part (for publishing its STL)."""


def cad_reasons(result: CadResult, script: str) -> list[ReviewReason]:
    """The rejections of a CAD run as review reasons (empty when it built parts)."""
    reasons = [
        ReviewReason(
            kind=ReviewReasonKind.cad_rejected,
            code=r.reason.value,
            detail=f"{script} script: {r.detail}"[-4000:],
            subjects=(r.part,) if r.part else (),
        )
        for r in result.rejections
    ]
    if not reasons and not result.parts:
        reasons.append(
            ReviewReason(
                kind=ReviewReasonKind.cad_rejected,
                code="no_parts",
                detail=f"{script} script built no parts",
            )
        )
    return reasons


def _material(part: CadPart, materials: tuple[Material, ...]) -> str:
    for m in materials:
        if abs(m.density - part.density_kg_m3) <= DENSITY_TOLERANCE * m.density:
            return m.name
    known = ", ".join(f"{m.name} {m.density:g}" for m in materials)
    raise AssemblyError(
        [
            ReviewReason(
                kind=ReviewReasonKind.unknown_material,
                detail=f"part {part.name}: density {part.density_kg_m3:g} kg/m^3 is no "
                f"material of the benchmark ({known})",
                subjects=(part.name,),
            )
        ]
    )


def _bad_role(part: CadPart, allowed: str) -> ReviewReason:
    return ReviewReason(
        kind=ReviewReasonKind.bad_role,
        detail=f"part {part.name}: role {part.role!r} is not {allowed}",
        subjects=(part.name,),
    )


def _shaped(
    part: CadPart, materials: tuple[Material, ...], blobs: list[MeshBlob]
) -> tuple[SolidGeometry, Pose, str]:
    """The part's geometry, pose and material (``AssemblyError`` for a material not in
    ``materials``); a mesh part's STL is added to ``blobs``."""
    material = _material(part, materials)
    geometry, pose = recognize(part)
    if isinstance(geometry, Mesh):
        blobs.append(MeshBlob.of(part.mesh_stl))
    return geometry, pose, material


def _invalid(exc: ValidationError, what: str) -> AssemblyError:
    return AssemblyError(
        [ReviewReason(kind=ReviewReasonKind.invalid_spec, detail=f"{what}: {exc}"[:4000])]
    )


def scene_spec(draft: Draft, result: CadResult) -> tuple[BenchmarkSpec, Assembled]:
    """The benchmark spec: the draft's frame plus the scene script's parts."""
    objects: list[StaticObject | DynamicObject] = []
    blobs: list[MeshBlob] = []
    reasons: list[ReviewReason] = []
    materials = BenchmarkSpec.model_fields["materials"].default
    for part in result.parts:
        if part.role not in ("static", "dynamic"):
            reasons.append(_bad_role(part, "'static' or 'dynamic'"))
            continue
        try:
            geometry, pose, material = _shaped(part, materials, blobs)
            objects.append(scene_object(part.role, part.name, geometry, pose, material))
        except AssemblyError as exc:
            reasons.extend(exc.reasons)
        except ValidationError as exc:
            reasons.extend(_invalid(exc, f"part {part.name}").reasons)
    if not any(isinstance(o, DynamicObject) and o.label == draft.frame.payload for o in objects):
        reasons.append(
            ReviewReason(
                kind=ReviewReasonKind.missing_payload,
                detail=f"the scene has no dynamic part named {draft.frame.payload!r}, "
                "which the goal is about",
                subjects=(draft.frame.payload,),
            )
        )
    if reasons:
        raise AssemblyError(reasons)
    try:
        spec = frame_spec(draft, objects)
    except ValidationError as exc:
        raise _invalid(exc, "the scene") from None
    return spec, Assembled(meshes=tuple(blobs), mesh_parts=tuple(result.parts))


def reference_solution(spec: BenchmarkSpec, result: CadResult) -> tuple[Solution, Assembled]:
    """The solution the reference script's parts form."""
    parts: list[SolutionPart] = []
    blobs: list[MeshBlob] = []
    reasons: list[ReviewReason] = []
    motors = {m.label for m in spec.motors}
    for part in result.parts:
        motor = motor_of(part.role)
        if motor is not None:
            if motor not in motors:
                reasons.append(_bad_role(part, f"'fixed' or on_<motor> with a motor of {motors}"))
                continue
        elif part.role != FIXED_ROLE:
            reasons.append(_bad_role(part, "'fixed' or 'on_<motor>'"))
            continue
        try:
            geometry, pose, material = _shaped(part, spec.materials, blobs)
            parts.append(
                SolutionPart(
                    name=part.name, geometry=geometry, pose=pose, material=material, motor=motor
                )
            )
        except AssemblyError as exc:
            reasons.extend(exc.reasons)
        except ValidationError as exc:
            reasons.extend(_invalid(exc, f"part {part.name}").reasons)
    if reasons:
        raise AssemblyError(reasons)
    try:
        solution = Solution(parts=tuple(parts))
    except ValidationError as exc:
        raise _invalid(exc, "the reference") from None
    return solution, Assembled(meshes=tuple(blobs), mesh_parts=tuple(result.parts))
