"""``run_cad``: a build123d script in the sandbox, linted, measured and placed."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
from pydantic import BaseModel, Field

from arena_core.cad import run_cad as run_in_sandbox
from arena_core.events.engineer import CodeChecked, CodeProblem
from arena_core.events.sim import MeshBlob
from arena_core.spec import Mesh, Pose, Solution, SolutionPart, Vec3
from engineer.design import design_id
from engineer.session import Built, EngineerSession
from engineer.tools.base import Args


class Placement(Args):
    part: str = Field(description="Name of a part the script builds.")
    pos: tuple[float, float, float] = Field(description="World position of the part's frame (m).")
    quat: tuple[float, float, float, float] = Field(
        default=(1.0, 0.0, 0.0, 0.0), description="Orientation of the part's frame (w, x, y, z)."
    )
    motor: str | None = Field(
        default=None, description="Benchmark motor the part rides on; omit to fix it to the world."
    )


class RunCadArgs(Args):
    code: str = Field(
        description="A build123d script defining build() -> list[Part(name, shape, "
        "role=<material name>, density=<kg/m^3>)]. Build each part in its own frame "
        "(manufacturing limits are measured there) and place it with `placements`."
    )
    placements: list[Placement] = Field(
        default=[],
        max_length=64,
        description="Where each part goes; unplaced parts stay at the origin.",
    )
    notes: str = Field(
        default="", max_length=2000, description="What this design is, kept with it."
    )


class PartReport(BaseModel):
    name: str
    material: str
    mass_kg: float
    cost: float
    bbox_min_m: tuple[float, float, float]
    bbox_max_m: tuple[float, float, float]


class CadReport(BaseModel):
    design_id: str
    ok: bool
    parts: list[PartReport] = []
    total_mass_kg: float = 0.0
    total_cost: float = 0.0
    problems: list[CodeProblem] = []


def lint(code: str) -> tuple[str, list[CodeProblem]]:
    """Lint errors of generated code: ruff when installed, else ``compile()``."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if Path(ruff).exists():
        run = subprocess.run(
            [
                ruff, "check", "--isolated", "--select", "E9,F", "--output-format", "json",
                "--stdin-filename", "model.py", "-",
            ],
            input=code.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )  # fmt: skip
        if run.returncode in (0, 1):
            found = orjson.loads(run.stdout or b"[]")
            return "ruff", [
                CodeProblem(
                    source="lint",
                    code=str(f.get("code") or "syntax"),
                    message=str(f.get("message", ""))[:4000],
                    line=(f.get("location") or {}).get("row"),
                )
                for f in found
            ]
    try:
        compile(code, "model.py", "exec")
    except SyntaxError as exc:
        return "compile", [
            CodeProblem(source="compile", code="SyntaxError", message=str(exc.msg), line=exc.lineno)
        ]
    return "compile", []


async def run_cad(session: EngineerSession, args: RunCadArgs) -> CadReport:
    """Run the script; report each part's mass, cost and box, and every problem found."""
    spec = session.spec
    placed = [p.model_dump(mode="json", exclude_none=True) for p in args.placements]
    did = design_id(args.code, placed)
    poses = {p.part: Pose(pos=p.pos, quat=p.quat) for p in args.placements}
    motors = {p.part: p.motor for p in args.placements}
    linter, problems = await asyncio.to_thread(lint, args.code)
    result = await run_in_sandbox(args.code, sandbox=session.sandbox)
    problems += [
        CodeProblem(
            source="runtime" if r.reason.value == "code_error" else "cad",
            code=r.reason.value,
            message=(f"part {r.part}: " if r.part else "") + r.detail[-1500:],
        )
        for r in result.rejections
    ]
    parts: list[PartReport] = []
    solution_parts: list[SolutionPart] = []
    meshes: list[MeshBlob] = []
    unknown = sorted(set(poses) - {p.name for p in result.parts})
    if unknown and result.parts:
        problems.append(
            CodeProblem(
                source="cad",
                code="unknown_part",
                message=f"placements name parts the script does not build: {unknown}",
            )
        )
    for part in result.parts:
        pose = poses.get(part.name, Pose())
        low, high = world_box(pose, part.bbox_min_m, part.bbox_max_m)
        material = spec.material(part.role)
        if material is None:
            problems.append(
                CodeProblem(
                    source="cad",
                    code="unknown_material",
                    message=f"part {part.name}: role {part.role!r} is not a material of the "
                    f"benchmark ({', '.join(m.name for m in spec.materials)})",
                )
            )
            continue
        mass, cost = material.mass_and_cost(part.volume_m3)
        parts.append(
            PartReport(
                name=part.name, material=material.name, mass_kg=round(mass, 6),
                cost=round(cost, 6), bbox_min_m=low, bbox_max_m=high,
            )
        )  # fmt: skip
        blob = MeshBlob.of(part.mesh_stl)
        meshes.append(blob)
        solution_parts.append(
            SolutionPart(
                name=part.name, geometry=Mesh(sha256=blob.sha256), pose=pose,
                material=material.name, motor=motors.get(part.name),
            )
        )  # fmt: skip
    ok = result.ok and not problems
    await session.delivery.emit(
        CodeChecked(
            plan_id=session.plan_id, design_id=did, linter=linter, ok=ok,
            parts=len(result.parts), problems=tuple(problems),
        )
    )  # fmt: skip
    if ok:
        unique = {m.sha256: m for m in meshes}
        session.designs[did] = session.latest = Built(
            args.code, result, Solution(parts=tuple(solution_parts)), tuple(unique.values())
        )
    return CadReport(
        design_id=did,
        ok=ok,
        parts=parts,
        total_mass_kg=round(sum(p.mass_kg for p in parts), 6),
        total_cost=round(sum(p.cost for p in parts), 6),
        problems=problems,
    )


def world_box(pose: Pose, low: Vec3, high: Vec3) -> tuple[Vec3, Vec3]:
    """The world-axis box around a part's own box placed at ``pose``."""
    corners = [
        pose.apply((x, y, z))
        for x in (low[0], high[0])
        for y in (low[1], high[1])
        for z in (low[2], high[2])
    ]
    lo = tuple(round(min(c[i] for c in corners), 6) for i in range(3))
    hi = tuple(round(max(c[i] for c in corners), 6) for i in range(3))
    return lo, hi  # type: ignore[return-value]
