"""The workbench as LLM tools: manufacturability, cost, mass and preview of the current design.

``workbench_tools(current_parts, preview_dir=...)`` returns ``Tool``s for an agent's
``ToolRegistry``. Every tool works on the parts of the design's latest CAD run, which
``current_parts`` returns; the meshes are analysed in this process (never the code
that made them) in a worker thread, so the event loop keeps serving the bus.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from arena_core.cad import CadPart
from arena_core.cad.mesh import Mesh, MeshError, read_stl
from arena_core.llm import Tool, ToolError
from arena_core.spec import STANDARD_MATERIALS, Material, Pose, ProcessRules
from engineer.preview import (
    ALL_VIEWS,
    Layout,
    PreviewPart,
    PreviewResult,
    PreviewZone,
    ViewName,
    placed,
    render_preview,
)
from engineer.workbench.bench import check_manufacturability, estimate_cost, estimate_mass
from engineer.workbench.report import (
    CostBreakdown,
    ManufacturabilityReport,
    MassEstimate,
    ProcessName,
    ResultModel,
    Vec3,
)
from engineer.workbench.rules import (
    AnyRules,
    CncRules,
    FdmRules,
    MouldingRules,
    default_rules,
    rules_for,
)

CurrentParts = Callable[[], Sequence[CadPart]]
"""Returns the parts of the design's latest accepted CAD run (empty before the first)."""

_CACHED_MESHES = 64


class _Input(BaseModel):
    # Field docstrings become the schema's descriptions, which the model reads.
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    parts: list[str] | None = Field(default=None, max_length=64)
    """Part names from the latest CAD run; omit for every part."""


class ManufacturabilityInput(_Input):
    """Check parts against a process's rules (wall, overhang, draft, undercut, corners, size)."""

    process: ProcessName | None = None
    """Process to judge; omit for the benchmark's process."""
    material: str | None = None
    """Material the parts would be made of; omit to skip the material rule."""
    direction: Vec3 | None = None
    """Build direction (FDM), tool axis (CNC) or pull direction (moulding); default +z."""
    tool_radius_m: Annotated[float, Field(gt=0, le=0.05)] | None = None
    """Smallest end mill radius for CNC, m (default 0.003)."""


class CostInput(_Input):
    """Estimate manufacturing cost per unit: material, waste, machine time, setup, tooling."""

    material: str
    """Material of the parts."""
    process: ProcessName | None = None
    """Process to cost; omit for the benchmark's process."""
    quantity: Annotated[int, Field(ge=1, le=10_000_000)] = 1
    """Units made in one batch; setup and tooling are shared between them."""


class MassInput(_Input):
    """Estimate part masses from mesh volume and material density."""

    material: str
    """Material of the parts."""


class PreviewInput(_Input):
    """Render the parts to PNG from standard views."""

    views: list[ViewName] = Field(default_factory=lambda: list(ALL_VIEWS), min_length=1)
    """Views to draw: front (from -y), side (from +x), top (from +z), iso."""
    size_px: Annotated[int, Field(ge=128, le=1024)] = 512
    """Image width in pixels."""
    layout: Layout = "sheet"
    """``sheet``: all views in one PNG; ``separate``: one PNG per view."""


class ManufacturabilityResult(ResultModel):
    """One report per part."""

    manufacturable: bool
    """True when no part breaks a rule."""
    reports: tuple[ManufacturabilityReport, ...]
    """Per part, every rule broken."""


class CostResult(ResultModel):
    """One breakdown per part, and the totals."""

    breakdowns: tuple[CostBreakdown, ...]
    """Per part, the cost lines."""
    total_unit_cost: float
    """Sum of the parts' unit costs (one of each part)."""
    total_material_cost: float
    """Sum of the parts' material costs (what benchmarks limit)."""


class MassResult(ResultModel):
    """One estimate per part, and the total."""

    estimates: tuple[MassEstimate, ...]
    """Per part, volume and mass."""
    total_mass_kg: float
    """Sum of the parts' masses."""


class _Bench:
    """The state the tools share: where parts come from, meshes read so far, rules."""

    def __init__(
        self,
        current_parts: CurrentParts,
        preview_dir: Path,
        materials: Sequence[Material],
        process_rules: ProcessRules | None,
    ) -> None:
        self._current_parts = current_parts
        self._preview_dir = preview_dir
        self._materials = {m.name: m for m in materials}
        self._process_rules = process_rules
        self._meshes: OrderedDict[str, Mesh] = OrderedDict()

    def parts(self, names: list[str] | None) -> list[tuple[CadPart, Mesh]]:
        available = list(self._current_parts())
        if not available:
            raise ToolError("there are no parts yet: run the CAD code first")
        by_name = {p.name: p for p in available}
        if names is None:
            chosen = available
        else:
            missing = [n for n in names if n not in by_name]
            if missing:
                raise ToolError(
                    f"no part named {', '.join(missing)}; parts are {', '.join(by_name)}"
                )
            chosen = [by_name[n] for n in dict.fromkeys(names)]
        return [(part, self._mesh(part)) for part in chosen]

    def _mesh(self, part: CadPart) -> Mesh:
        cached = self._meshes.get(part.mesh_sha256)
        if cached is not None:
            self._meshes.move_to_end(part.mesh_sha256)
            return cached
        try:
            mesh = read_stl(part.mesh_stl)
        except MeshError as error:
            raise ToolError(f"part {part.name}: {error}") from None
        self._meshes[part.mesh_sha256] = mesh
        if len(self._meshes) > _CACHED_MESHES:
            self._meshes.popitem(last=False)
        return mesh

    def material(self, name: str) -> Material:
        material = self._materials.get(name)
        if material is None:
            raise ToolError(
                f"unknown material {name!r}; materials are {', '.join(self._materials)}"
            )
        return material

    def rules(
        self,
        process: ProcessName | None,
        direction: Vec3 | None = None,
        tool_radius_m: float | None = None,
    ) -> AnyRules:
        spec = self._process_rules
        if process is None and spec is None:
            raise ToolError(
                "the benchmark sets no process: name one of fdm_3d_print, cnc_milling, "
                "injection_moulding, laser_cutting"
            )
        if spec is not None and (process is None or process == spec.process.value):
            rules = rules_for(spec)
        else:
            assert process is not None
            rules = default_rules(process)
        changes: dict[str, Any] = {}
        if direction is not None:
            if sum(c * c for c in direction) < 1e-18:
                raise ToolError("direction must not be the zero vector")
            field = {
                FdmRules: "build_direction",
                CncRules: "tool_axis",
                MouldingRules: "pull_direction",
            }.get(type(rules))
            if field is None:
                raise ToolError(f"{rules.process} takes no direction")
            changes[field] = direction
        if tool_radius_m is not None:
            if not isinstance(rules, CncRules):
                raise ToolError("tool_radius_m applies to cnc_milling only")
            changes["tool_radius_m"] = tool_radius_m
        # Validate again so directions are normalised like any other input.
        return type(rules).model_validate(rules.model_dump() | changes) if changes else rules

    def preview_dir(self) -> Path:
        return self._preview_dir


def workbench_tools(
    current_parts: CurrentParts,
    *,
    preview_dir: Path,
    materials: Sequence[Material] = STANDARD_MATERIALS,
    process_rules: ProcessRules | None = None,
    poses: Callable[[], Mapping[str, Pose]] | None = None,
    zones: Sequence[PreviewZone] = (),
) -> list[Tool[Any]]:
    """The engineer's workbench tools over the design's current parts.

    ``process_rules`` are the benchmark's (``spec.constraints.process``): the default
    process, with its limits. Previews are written under ``preview_dir``, each part
    where ``poses`` places it, with ``zones`` (the benchmark's) drawn around them.
    """
    bench = _Bench(current_parts, preview_dir, materials, process_rules)

    async def check(args: ManufacturabilityInput) -> ManufacturabilityResult:
        rules = bench.rules(args.process, args.direction, args.tool_radius_m)
        parts = bench.parts(args.parts)

        def run() -> ManufacturabilityResult:
            reports = tuple(
                check_manufacturability(mesh, rules, part=part.name, material=args.material)
                for part, mesh in parts
            )
            return ManufacturabilityResult(
                manufacturable=all(r.manufacturable for r in reports), reports=reports
            )

        return await asyncio.to_thread(run)

    async def cost(args: CostInput) -> CostResult:
        rules = bench.rules(args.process)
        material = bench.material(args.material)
        parts = bench.parts(args.parts)

        def run() -> CostResult:
            lines = tuple(
                estimate_cost(mesh, rules, material, quantity=args.quantity, part=part.name)
                for part, mesh in parts
            )
            return CostResult(
                breakdowns=lines,
                total_unit_cost=sum(b.unit_cost for b in lines),
                total_material_cost=sum(b.material_cost for b in lines),
            )

        return await asyncio.to_thread(run)

    async def mass(args: MassInput) -> MassResult:
        material = bench.material(args.material)
        estimates = tuple(
            estimate_mass(mesh, material, part=part.name) for part, mesh in bench.parts(args.parts)
        )
        return MassResult(estimates=estimates, total_mass_kg=sum(e.mass_kg for e in estimates))

    async def preview(args: PreviewInput) -> PreviewResult:
        where = poses() if poses is not None else {}
        parts = [
            PreviewPart(part.name, placed(mesh, where[part.name]) if part.name in where else mesh)
            for part, mesh in bench.parts(args.parts)
        ]
        return await asyncio.to_thread(
            render_preview,
            parts,
            bench.preview_dir(),
            views=args.views,
            size_px=args.size_px,
            layout=args.layout,
            zones=zones if where else (),
        )

    return [
        Tool(
            name="check_manufacturability",
            description=(
                "Check the current CAD parts against a manufacturing process: minimum wall "
                "thickness, FDM overhangs, moulding draft and undercuts, CNC internal corner "
                "radius and tool access, machine size and material. Returns typed violations "
                "with values, limits and locations (metres, part frame). Free to call."
            ),
            input_model=ManufacturabilityInput,
            run=check,
        ),
        Tool(
            name="estimate_cost",
            description=(
                "Estimate what each current part costs to make per unit in a batch: material "
                "(the cost benchmarks limit), waste, machine time, setup and tooling shared "
                "over the quantity. Free to call."
            ),
            input_model=CostInput,
            run=cost,
        ),
        Tool(
            name="estimate_mass",
            description=(
                "Estimate each current part's mass (mesh volume x material density) and "
                "centre of mass. The simulator recomputes it; this is a preview."
            ),
            input_model=MassInput,
            run=mass,
        ),
        Tool(
            name="render_preview",
            description=(
                "Render the current parts, where the design places them, to PNG from front, "
                "side, top and iso views, with the build zone (blue), goal (green) and "
                "forbidden zones (red) drawn; returns the image paths. Free to call."
            ),
            input_model=PreviewInput,
            run=preview,
        ),
    ]
