"""``/dashboard/scene``: what the 3D view draws, from what the simulator was sent.

A benchmark's scene is its spec: objects as boxes (their world bounds), the bounds,
build zone, goal zone and forbidden zones. With a run, the run's last
``sim.job.requested`` is used instead (the spec and the submitted solution the
simrunner simulated); its meshes are served as one binary STL in world coordinates.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import numpy as np
import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy import Engine, select, text

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.cad.mesh import Mesh as CadMesh
from arena_core.cad.mesh import MeshError, read_stl
from arena_core.db.benchmarks import benchmarks
from arena_core.spec import BenchmarkSpec
from arena_core.spec.geometry import Mesh, Plane, world_aabb
from arena_core.spec.solution import Solution
from arena_core.spec.zones import Zone

ID = Path(min_length=1, max_length=128, description="A benchmark id.")
RUN_ID = Query(None, min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$",
               description="Draw the design this run submitted.")  # fmt: skip
MAX_TRIANGLES = 200_000
Vec = tuple[float, float, float]


class SceneBox(BaseModel):
    """An axis-aligned box in the world frame (metres)."""

    label: str
    role: Literal["bounds", "build", "goal", "forbid", "static", "dynamic", "motor", "part"]
    low: Vec
    high: Vec


class Scene(BaseModel):
    """What the 3D view draws for a benchmark (and a submitted design)."""

    benchmark_id: str
    family: str
    boxes: list[SceneBox]
    mesh_triangles: int
    """Triangles of the submitted design's meshes (``design.stl``)."""
    run_id: str | None = None
    sim_seq: int | None = None
    """Sequence of the ``sim.job.requested`` drawn."""


_LAST_SIM = text(
    "SELECT seq, CAST(body AS TEXT) FROM messages WHERE run_id = :run AND type = "
    "'sim.job.requested' AND json_extract(CAST(body AS TEXT), '$.payload.benchmark_id') "
    "IS :bid ORDER BY seq DESC LIMIT 1"
)
_LAST_SIM_ANY = text(
    "SELECT seq, CAST(body AS TEXT) FROM messages WHERE run_id = :run AND type = "
    "'sim.job.requested' ORDER BY seq DESC LIMIT 1"
)


def _zone(label: str, role: Any, zone: Zone) -> SceneBox:
    return SceneBox(label=label, role=role, low=zone.low, high=zone.high)


def _boxes(spec: BenchmarkSpec, solution: Solution | None) -> list[SceneBox]:
    out = [_zone("bounds", "bounds", spec.bounds), _zone("build zone", "build", spec.build_zone)]
    goal_zone = getattr(spec.goal, "zone", None)
    if isinstance(goal_zone, Zone):
        out.append(_zone("goal", "goal", goal_zone))
    out += [_zone(z.label or f"forbid {i}", "forbid", z) for i, z in enumerate(spec.forbid_zones)]
    things: list[tuple[str, str, Any, Any]] = [
        (o.label, "static", o.geometry, o.pose) for o in spec.static_objects
    ]
    things += [(o.label, "dynamic", o.geometry, o.pose) for o in spec.dynamic_objects]
    things += [(m.label, "motor", m.geometry, m.pose) for m in spec.motors]
    if solution is not None:
        things += [(p.name, "part", p.geometry, p.pose) for p in solution.parts]
    for label, role, geometry, pose in things:
        if isinstance(geometry, Mesh | Plane):
            continue
        low, high = world_aabb(geometry, pose)
        out.append(SceneBox(label=label, role=role, low=low, high=high))
    return out


def _last_sim(engine: Engine, run_id: str, bid: str) -> tuple[int, dict[str, Any]] | None:
    with engine.connect() as conn:
        row = conn.execute(_LAST_SIM, {"run": run_id, "bid": bid}).first()
        row = row or conn.execute(_LAST_SIM_ANY, {"run": run_id}).first()
    return (row[0], orjson.loads(row[1])["payload"]) if row else None


def design_stl(payload: dict[str, Any]) -> tuple[bytes, int]:
    """The solution's mesh parts as one binary STL in world coordinates."""
    solution = Solution.model_validate(payload.get("solution") or {})
    blobs = {m["sha256"]: m["data_b64"] for m in payload.get("meshes", ())}
    chunks: list[np.ndarray[Any, Any]] = []
    for part in solution.parts:
        geometry = part.geometry
        if not isinstance(geometry, Mesh) or geometry.sha256 not in blobs:
            continue
        try:
            mesh = read_stl(base64.b64decode(blobs[geometry.sha256]))
        except MeshError:
            continue
        tri = np.asarray(mesh.triangles, dtype=np.float64) * geometry.scale
        rot = np.asarray(part.pose.rotation(), dtype=np.float64)
        chunks.append(tri @ rot.T + np.asarray(part.pose.pos))
    tris = np.concatenate(chunks)[:MAX_TRIANGLES] if chunks else np.zeros((0, 3, 3))
    return CadMesh(tris).to_binary_stl(), len(tris)


def router() -> APIRouter:
    r = APIRouter(prefix="/dashboard", tags=["dashboard"])
    one = responses(*COMMON, ProblemKind.not_found)

    def spec_of(ctx: ApiContext, benchmark_id: str) -> tuple[BenchmarkSpec, str]:
        with ctx.engine.connect() as conn:
            row = conn.execute(
                select(benchmarks.c.spec, benchmarks.c.family).where(
                    benchmarks.c.benchmark_id == benchmark_id
                )
            ).first()
        if row is None:
            raise ApiProblem(ProblemKind.not_found, f"no benchmark {benchmark_id!r}")
        return BenchmarkSpec.model_validate_json(row.spec), row.family

    @r.get("/benchmarks/{benchmark_id}/scene", operation_id="dashboard_scene", responses=one)
    def scene(
        benchmark_id: str = ID,
        run_id: str | None = RUN_ID,
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Scene:
        """Boxes and zones of a benchmark (and of the design a run submitted for it)."""
        spec, family = spec_of(ctx, benchmark_id)
        sim = _last_sim(ctx.engine, run_id, benchmark_id) if run_id else None
        if sim is None:
            return Scene(benchmark_id=benchmark_id, family=family, boxes=_boxes(spec, None),
                         mesh_triangles=0, run_id=run_id)  # fmt: skip
        seq, payload = sim
        solution = Solution.model_validate(payload.get("solution") or {})
        triangles = design_stl(payload)[1]
        return Scene(
            benchmark_id=benchmark_id, family=family,
            boxes=_boxes(BenchmarkSpec.model_validate(payload["spec"]), solution),
            mesh_triangles=triangles, run_id=run_id, sim_seq=seq,
        )  # fmt: skip

    @r.get(
        "/runs/{run_id}/design.stl", operation_id="dashboard_design_stl",
        response_class=Response,
        responses={**one, 200: {"content": {"model/stl": {}}, "description": "Binary STL."}},
    )  # fmt: skip
    def design(
        run_id: str = Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$"),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> Response:
        """The meshes of the run's last simulated design, in world coordinates."""
        with ctx.engine.connect() as conn:
            row = conn.execute(_LAST_SIM_ANY, {"run": run_id}).first()
        if row is None:
            raise ApiProblem(ProblemKind.not_found, f"run {run_id!r} simulated nothing")
        data = design_stl(orjson.loads(row[1])["payload"])[0]
        return Response(data, media_type="model/stl")

    return r
