"""Validation of MJCF scenes: every check, each failure a typed reason.

Order: read (size, well-formedness, depth) -> includes and assets -> numbers and schema
-> MuJoCo compile -> interpenetration at t=0 -> stability from rest -> motors.
A check that cannot run because an earlier one failed is skipped and says so in notes.

The initial state is ``qpos0`` (the model's own reference pose), or a keyframe when one
is asked for. Every stage after the compile checks the wall-clock budget
(``Limits.wall_limit_s``); when it runs out, the stage reports ``resource_limit`` and the
later ones are skipped, while failures already found stay in the report.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import mujoco

from arena_core.events.sim import (
    ModelStats,
    ValidationFailure,
    ValidationFailureKind,
    ValidationReport,
)
from simrunner import engine
from simrunner.contacts import contact_penetrations, mesh_overlaps
from simrunner.limits import Limits
from simrunner.meshes import MeshLibrary
from simrunner.mjcf import BuiltScene
from simrunner.stability import check_motors, check_stability
from simrunner.xmlcheck import read_document

Kind = ValidationFailureKind
_NOTES_LIMIT = 30


def _stats(model: mujoco.MjModel) -> ModelStats:
    return ModelStats(
        nbody=model.nbody,
        ngeom=model.ngeom,
        njnt=model.njnt,
        nu=model.nu,
        nmesh=model.nmesh,
        timestep=float(model.opt.timestep),
    )


def validate(
    path: Path,
    limits: Limits | None = None,
    *,
    strict_schema: bool = False,
    keyframe: str | None = None,
) -> ValidationReport:
    """Check the MJCF file at ``path`` (includes and relative asset paths from its folder).

    ``strict_schema`` makes every deviation from the emitted subset's XSD a failure (for
    scenes the simrunner built); otherwise elements and attributes beyond the subset are
    listed in ``outside_subset`` and only malformed values in subset elements fail.
    ``keyframe`` (a name or an index) starts the checks from that keyframe instead of
    ``qpos0``.
    """
    limits = limits or Limits()
    deadline = time.monotonic() + limits.wall_limit_s
    doc = read_document(path, limits, strict_schema=strict_schema)
    failures = list(doc.failures)
    notes = list(doc.notes)
    base = {
        "outside_subset": tuple(doc.outside_subset),
        "penetration_tolerance_m": limits.penetration_tolerance_m,
    }

    def report(model: mujoco.MjModel | None = None, frames: int = 0) -> ValidationReport:
        return ValidationReport(
            valid=not failures,
            failures=tuple(failures),
            notes=tuple(notes[:_NOTES_LIMIT]),
            model=_stats(model) if model is not None else None,
            frames_checked=frames,
            **base,
        )

    if not doc.usable:
        notes.append("MuJoCo checks skipped: the file could not be read as XML within limits")
        return report()
    if any(f.kind == Kind.missing_asset for f in failures):
        notes.append("MuJoCo checks skipped: referenced files are missing")
        return report()

    with engine.captured_warnings() as warnings:
        try:
            model = engine.compile_model(path)
        except engine.CompileError as exc:
            failures.append(_compile_failure(str(exc)))
            notes.extend(f"mujoco: {w}" for w in warnings)
            return report()
        engine.without_autoreset(model)
        data = mujoco.MjData(model)
        if keyframe is not None:
            key = _keyframe_index(model, keyframe)
            if key is None:
                message = f"no keyframe {keyframe!r} (the model has {model.nkey})"
                failures.append(ValidationFailure(kind=Kind.compile, message=message))
                return report(model)
            mujoco.mj_resetDataKeyframe(model, data, key)
        mujoco.mj_forward(model, data)
        failures.extend(contact_penetrations(model, data, limits.penetration_tolerance_m))
        failures.extend(mesh_overlaps(model, data, limits, deadline))
        frames = 0
        if _out_of_time(failures):
            notes.append("stability and motor checks skipped: no time left")
        else:
            start = engine.get_state(model, data)
            unstable, frames = check_stability(model, data, start, limits, deadline)
            failures.extend(unstable)
            if unstable:
                notes.append("motor check skipped: the model is not stable from rest")
            else:
                failures.extend(check_motors(model, data, start, limits, deadline))
        notes.extend(f"mujoco: {w}" for w in dict.fromkeys(warnings))
    return report(model, frames)


_SCHEMA_VIOLATION = "schema violation"


def _compile_failure(message: str) -> ValidationFailure:
    """MuJoCo's own schema check speaks of a "Schema violation": that is a schema failure."""
    kind = Kind.schema if _SCHEMA_VIOLATION in message.lower() else Kind.compile
    return ValidationFailure(kind=kind, message=message[:4000])


def _keyframe_index(model: mujoco.MjModel, keyframe: str) -> int | None:
    index = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_KEY, keyframe)
    if index < 0 and keyframe.isdigit() and int(keyframe) < model.nkey:
        index = int(keyframe)
    return index if index >= 0 else None


def _out_of_time(failures: list[ValidationFailure]) -> bool:
    return any(f.kind == Kind.resource_limit for f in failures)


def validate_scene(
    scene: BuiltScene, meshes: MeshLibrary, limits: Limits | None = None
) -> ValidationReport:
    """Validate a scene built by ``build_mjcf`` strictly against the emitted subset."""
    with tempfile.TemporaryDirectory(prefix="arena-scene-") as folder:
        return validate(scene.write(Path(folder), meshes), limits, strict_schema=True)


def validate_text(
    xml: str | bytes, files: dict[str, bytes] | None = None, limits: Limits | None = None
) -> ValidationReport:
    """Validate an MJCF document given as text, with the files it references by path."""
    with tempfile.TemporaryDirectory(prefix="arena-mjcf-") as folder:
        root = Path(folder)
        for name, data in (files or {}).items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        path = root / "model.xml"
        path.write_bytes(xml.encode() if isinstance(xml, str) else xml)
        return validate(path, limits)
