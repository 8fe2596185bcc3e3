"""``run_cad``: one CAD script through the sandbox, back as typed, measured parts."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from arena_core.cad import harness
from arena_core.cad.models import CadPart, CadRejection, CadResult, RejectReason, Vec3
from arena_core.sandbox import (
    ExitReason,
    Sandbox,
    SandboxJob,
    SandboxLimits,
    SandboxResult,
    remove_workspace,
)

HARNESS_SOURCE = Path(harness.__file__).read_text()
"""The harness runs as the job's code, so the sandbox needs nothing of arena_core."""

DEFAULT_TOLERANCE_M = 1e-4
"""Largest distance between the mesh and the exact surface (0.1 mm)."""
DEFAULT_ANGULAR_TOLERANCE_RAD = 0.1
"""Largest angle between neighbouring mesh facets on curved surfaces."""

_SANDBOX_REASONS = {
    ExitReason.timeout: RejectReason.timeout,
    ExitReason.memory: RejectReason.memory,
    ExitReason.error: RejectReason.code_error,
    ExitReason.killed: RejectReason.crashed,
}


class _MeasuredPart(BaseModel):
    """A part as the harness reports it (untrusted until validated)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    role: str
    density_kg_m3: float
    volume_m3: float
    mass_kg: float
    centre_of_mass_m: list[float]
    inertia_kg_m2: list[float]
    bbox_min_m: list[float]
    bbox_max_m: list[float]
    solids: int
    mesh: str
    triangles: int


class _HarnessOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parts: list[_MeasuredPart]
    rejections: list[CadRejection]


def _vec3(values: list[float]) -> Vec3:
    x, y, z = values
    return (x, y, z)


async def run_cad(
    code: str,
    *,
    sandbox: Sandbox,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    angular_tolerance_rad: float = DEFAULT_ANGULAR_TOLERANCE_RAD,
    limits: SandboxLimits | None = None,
    workspace: Path | None = None,
) -> CadResult:
    """Run a CAD script (see ``arena_core.cad``) in the sandbox; measure and mesh its parts."""
    if not tolerance_m > 0 or not angular_tolerance_rad > 0:
        raise ValueError("mesh tolerances must be positive")
    job_file = {"tolerance_m": tolerance_m, "angular_tolerance_rad": angular_tolerance_rad}
    job = SandboxJob(
        code=HARNESS_SOURCE,
        inputs={
            harness.MODEL_FILE: code.encode(),
            harness.JOB_FILE: orjson.dumps(job_file),
        },
        limits=limits or SandboxLimits(),
        workspace=workspace,
    )
    result = await sandbox.run(job)
    try:
        parts, rejections = _read_output(result)
    finally:
        if workspace is None:  # the sandbox's own: everything worth keeping is read
            remove_workspace(result)
    return CadResult(
        parts=parts,
        rejections=rejections,
        exit_reason=result.reason,
        stdout=result.stdout,
        stderr=result.stderr,
        workspace=result.workspace,
        wall_s=result.wall_s,
    )


def _read_mesh(path: Path) -> bytes:
    # O_NOFOLLOW: the job may have swapped its mesh for a symlink to another file.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _read_output(result: SandboxResult) -> tuple[list[CadPart], list[CadRejection]]:
    if result.reason is not ExitReason.ok:
        detail = result.detail
        if result.error is not None and result.error.traceback:
            detail = f"{detail}\n{result.error.traceback}"
        return [], [CadRejection(reason=_SANDBOX_REASONS[result.reason], detail=detail)]
    files = {f.path: f for f in result.files}
    if harness.RESULT_FILE not in files:
        detail = "the script ended the process before the harness wrote its result"
        return [], [CadRejection(reason=RejectReason.crashed, detail=detail)]
    try:
        raw = (result.workspace / harness.RESULT_FILE).read_bytes()
        output = _HarnessOutput.model_validate_json(raw)
    except (OSError, ValidationError) as error:
        detail = f"the harness result is unreadable: {error}"[:4000]
        return [], [CadRejection(reason=RejectReason.crashed, detail=detail)]

    parts: list[CadPart] = []
    rejections = list(output.rejections)
    for measured in output.parts:
        mesh = files.get(measured.mesh)
        if mesh is None or measured.mesh != f"{harness.MESH_DIR}/{measured.name}.stl":
            rejections.append(
                CadRejection(
                    reason=RejectReason.mesh_failed,
                    detail=f"mesh {measured.mesh!r} is missing from the workspace",
                    part=measured.name,
                )
            )
            continue
        try:
            parts.append(
                CadPart(
                    name=measured.name,
                    role=measured.role,
                    density_kg_m3=measured.density_kg_m3,
                    volume_m3=measured.volume_m3,
                    mass_kg=measured.mass_kg,
                    centre_of_mass_m=_vec3(measured.centre_of_mass_m),
                    inertia_kg_m2=tuple(measured.inertia_kg_m2),
                    bbox_min_m=_vec3(measured.bbox_min_m),
                    bbox_max_m=_vec3(measured.bbox_max_m),
                    solids=measured.solids,
                    mesh_stl=_read_mesh(result.workspace / mesh.path),
                    mesh_sha256=mesh.sha256,
                    mesh_bytes=mesh.size,
                    triangles=measured.triangles,
                )
            )
        except (ValidationError, ValueError) as error:
            rejections.append(
                CadRejection(
                    reason=RejectReason.crashed,
                    detail=f"the harness reported an impossible measurement: {error}"[:4000],
                    part=measured.name,
                )
            )
    return parts, rejections
