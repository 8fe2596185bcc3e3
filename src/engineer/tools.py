"""The engineer's tools: CAD in the sandbox, estimates, simulation previews, skills,
the TODO list, submission and refusal. Each is a typed ``Tool``; the ``Conversation``
turns every call and result into ``agent.tool.*`` events.

Results are deterministic for the same inputs (no wall times, no paths), so a recorded
run replays to the same requests.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from arena_core.bus import Bus, Delivery, RequestFailed, RequestTimeout
from arena_core.cad import CadPart, CadResult, run_cad
from arena_core.events.engineer import (
    CodeChecked,
    CodeProblem,
    CriticReviewCreated,
    PlanItemStatus,
    PlanItemUpdated,
    PlanRefused,
    RefusalProof,
    ReviewAnswered,
    SimVerdict,
    SkillContent,
    SkillWritten,
    SolutionSubmitted,
    SolveJobRequested,
)
from arena_core.events.sim import MeshBlob, SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.llm import RunBudget, Tool, ToolError, ToolRegistry
from arena_core.sandbox import Sandbox
from arena_core.spec import (
    BenchmarkSpec,
    Jitter,
    Mesh,
    Pose,
    ReachZone,
    Solution,
    SolutionPart,
    Vec3,
)
from engineer import plans, skills
from engineer.templates import design_id

STRESS_COPIES_FACTOR = 2
"""A stress test simulates this many times the benchmark's jittered copies."""


def stress_spec(spec: BenchmarkSpec) -> BenchmarkSpec:
    """The benchmark with more jittered copies (the first ones are the official copies)."""
    copies = min(64, max(spec.jitter.copies * STRESS_COPIES_FACTOR, 4))
    return spec.model_copy(
        update={"jitter": Jitter(**{**spec.jitter.model_dump(), "copies": copies})}
    )


def sim_seconds(spec: BenchmarkSpec) -> float:
    return spec.jitter.copies * spec.duration_s


# -- code checks --------------------------------------------------------------------------


def lint(code: str) -> tuple[str, list[CodeProblem]]:
    """Lint errors of generated code: ruff when installed, else ``compile()``."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if Path(ruff).exists():
        run = subprocess.run(
            [
                ruff,
                "check",
                "--isolated",
                "--select",
                "E9,F",
                "--output-format",
                "json",
                "--stdin-filename",
                "model.py",
                "-",
            ],
            input=code.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
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


# -- tool inputs and outputs ------------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Placement(_Args):
    part: str = Field(description="Name of a part the script builds.")
    pos: tuple[float, float, float] = Field(description="World position of the part's frame (m).")
    quat: tuple[float, float, float, float] = Field(
        default=(1.0, 0.0, 0.0, 0.0), description="Orientation of the part's frame (w, x, y, z)."
    )
    motor: str | None = Field(
        default=None, description="Benchmark motor the part rides on; omit to fix it to the world."
    )


class RunCadArgs(_Args):
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


class DesignArgs(_Args):
    design_id: str = Field(description="Id returned by run_cad.")


class PreviewArgs(_Args):
    design_ids: list[str] = Field(min_length=1, max_length=8, description="Designs to simulate.")
    stress: bool = Field(
        default=False, description="Simulate twice as many jittered copies to test robustness."
    )


class SkillQuery(_Args):
    query: str = Field(description="Words to look for: benchmark family, goal kind, part kinds.")


class TodoArgs(_Args):
    item_id: str
    status: PlanItemStatus
    note: str = Field(default="", max_length=2000)


class RefuseArgs(_Args):
    proof: RefusalProof


class WriteSkillArgs(_Args):
    skill: SkillContent


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


class PreviewReport(BaseModel):
    design_id: str
    passed: bool
    success_rate: float
    failures: list[str] = []
    violations: list[str] = []
    cost: float
    mass_kg: float
    worst_time_to_goal_s: float | None = None
    distance_to_goal_m: float | None = None
    """Mean distance of the payload's final position from the goal zone (reach goals)."""


class ReviewReport(BaseModel):
    decision: Literal["accept", "revise"]
    reasons: list[str]
    verdict: SimVerdict | None = None
    submissions_left: int


# -- the session --------------------------------------------------------------------------


@dataclass
class Built:
    code: str
    result: CadResult
    solution: Solution
    meshes: tuple[MeshBlob, ...]


@dataclass
class EngineerSession:
    """One engineer's work on one plan: designs made so far, counters, the outcome."""

    bus: Bus
    delivery: Delivery[Any]
    engine: Engine
    workspace: Path
    sandbox: Sandbox
    request: SolveJobRequested
    plan_id: str
    run_id: str
    designs: dict[str, Built] = field(default_factory=dict)
    submissions: int = 0
    sim_calls: int = 0
    sim_time_s: float = 0.0
    failures: int = 0
    accepted: CriticReviewCreated | None = None
    accepted_refusal: RefusalProof | None = None
    last_reasons: list[str] = field(default_factory=list)
    review_totals: list[Any] = field(default_factory=list)
    skills_written: int = 0
    budget: RunBudget | None = None
    """The engineer's run budget, so simulated time shows in ``run.totals.updated``."""
    latest: Built | None = None

    @property
    def spec(self) -> BenchmarkSpec:
        return self.request.spec

    def latest_parts(self) -> list[CadPart]:
        """Parts of the latest CAD run that was accepted (what the workbench tools inspect)."""
        return list(self.latest.result.parts) if self.latest else []

    @property
    def finished(self) -> bool:
        return self.accepted is not None or self.accepted_refusal is not None

    def registry(self, extra: list[Tool[Any]] | None = None) -> ToolRegistry:
        tools = ToolRegistry(
            [
                Tool(
                    "run_cad",
                    "Run a build123d CAD script in the sandbox; returns the design "
                    "id, each part's mass, cost and bounding box, lint and script problems.",
                    RunCadArgs,
                    self.run_cad,
                ),
                Tool(
                    "estimate",
                    "Mass and cost of a design against the benchmark's limits.",
                    DesignArgs,
                    self.estimate,
                ),
                Tool(
                    "simulate_preview",
                    "Simulate designs on the benchmark's jittered copies "
                    "(free, not scored): pass/fail with reasons per design.",
                    PreviewArgs,
                    self.simulate_preview,
                ),
                Tool(
                    "read_skills",
                    "Skills learned on earlier benchmarks that match the query.",
                    SkillQuery,
                    self.read_skills,
                ),
                Tool(
                    "update_todo",
                    "Set the status and note of a TODO item of the plan.",
                    TodoArgs,
                    self.update_todo,
                ),
                Tool(
                    "submit",
                    "Submit a design for scoring by the simulator and review by the "
                    "critic. Counts against the submission limit.",
                    DesignArgs,
                    self.submit,
                ),
                Tool(
                    "request_review",
                    "Ask the critic's opinion of a design (free: simulated and reviewed, "
                    "not scored, does not count as a submission).",
                    DesignArgs,
                    self.request_review,
                ),
                Tool(
                    "refuse",
                    "Refuse the plan with a proof the critic checks.",
                    RefuseArgs,
                    self.refuse,
                ),
                Tool(
                    "write_skill",
                    "Record what made this benchmark work, for later ones.",
                    WriteSkillArgs,
                    self.write_skill,
                ),
            ]
        )
        for tool in extra or []:
            tools.add(tool)
        return tools

    # -- CAD ------------------------------------------------------------------------------

    async def run_cad(self, args: RunCadArgs) -> CadReport:
        placed = [p.model_dump(mode="json", exclude_none=True) for p in args.placements]
        did = design_id(args.code, placed)
        poses = {p.part: Pose(pos=p.pos, quat=p.quat) for p in args.placements}
        motors = {p.part: p.motor for p in args.placements}
        linter, problems = await asyncio.to_thread(lint, args.code)
        result = await run_cad(args.code, sandbox=self.sandbox)
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
            low, high = _world_box(pose, part.bbox_min_m, part.bbox_max_m)
            material = self.spec.material(part.role)
            if material is None:
                problems.append(
                    CodeProblem(
                        source="cad",
                        code="unknown_material",
                        message=f"part {part.name}: role {part.role!r} is not a material of the "
                        f"benchmark ({', '.join(m.name for m in self.spec.materials)})",
                    )
                )
                continue
            mass = part.volume_m3 * material.density
            parts.append(
                PartReport(
                    name=part.name,
                    material=material.name,
                    mass_kg=round(mass, 6),
                    cost=round(mass * material.cost_per_kg, 6),
                    bbox_min_m=low,
                    bbox_max_m=high,
                )
            )
            blob = MeshBlob.of(part.mesh_stl)
            meshes.append(blob)
            solution_parts.append(
                SolutionPart(
                    name=part.name,
                    geometry=Mesh(sha256=blob.sha256),
                    pose=pose,
                    material=material.name,
                    motor=motors.get(part.name),
                )
            )
        ok = result.ok and not problems
        await self.delivery.emit(
            CodeChecked(
                plan_id=self.plan_id,
                design_id=did,
                linter=linter,
                ok=ok,
                parts=len(result.parts),
                problems=tuple(problems),
            )
        )
        if ok:
            unique = {m.sha256: m for m in meshes}
            self.designs[did] = self.latest = Built(
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

    def _design(self, did: str) -> Built:
        built = self.designs.get(did)
        if built is None:
            raise ToolError(f"no design {did!r}: run_cad it first (known: {sorted(self.designs)})")
        return built

    async def estimate(self, args: DesignArgs) -> str:
        built = self._design(args.design_id)
        mass = cost = 0.0
        for part in built.result.parts:
            material = self.spec.material(part.role)
            assert material is not None
            mass += part.volume_m3 * material.density
            cost += part.volume_m3 * material.density * material.cost_per_kg
        limits = self.spec.constraints
        return _json(
            {
                "design_id": args.design_id,
                "mass_kg": round(mass, 6),
                "max_mass_kg": limits.max_mass,
                "cost": round(cost, 6),
                "max_cost": limits.max_cost,
                "within_limits": (limits.max_mass is None or mass <= limits.max_mass)
                and (limits.max_cost is None or cost <= limits.max_cost),
            }
        )

    # -- simulation -----------------------------------------------------------------------

    async def _simulate(self, built: Built, spec: BenchmarkSpec) -> SimJobCompleted | SimJobFailed:
        request = SimJobRequested(
            spec=spec,
            solution=built.solution,
            meshes=(*self.request.meshes, *built.meshes),
            preview=True,
        )
        self.sim_calls += 1
        self._spent_sim(sim_seconds(spec))
        envelope = self.delivery.follow(request)
        try:
            reply = await self.bus.request(
                envelope, [SimJobCompleted, SimJobFailed], timeout=self.delivery_timeout
            )
        except RequestFailed as exc:
            raise ToolError(f"the simulator refused the design: {exc.reply.payload}") from None
        return reply.payload  # type: ignore[no-any-return]

    delivery_timeout: float = 300.0

    async def simulate_preview(self, args: PreviewArgs) -> str:
        limit = min(self.request.max_sim_calls, self.request.settings.max_tool_calls)
        left = limit - self.sim_calls
        if left < len(args.design_ids):
            raise ToolError(f"only {max(left, 0)} simulations left of {limit}")
        builts = [self._design(d) for d in args.design_ids]
        spec = stress_spec(self.spec) if args.stress else self.spec
        results = await asyncio.gather(*(self._simulate(b, spec) for b in builts))
        reports = []
        for did, result in zip(args.design_ids, results, strict=True):
            report = preview_report(did, spec, result)
            if not report.passed:
                self.failures += 1
            reports.append(report.model_dump(mode="json"))
        return _json(reports)

    # -- plan and skills --------------------------------------------------------------------

    async def read_skills(self, args: SkillQuery) -> str:
        words = [w for w in args.query.replace(",", " ").split() if w]
        found = skills.relevant_skills(self.engine, "engineer", words)
        return _json(
            [
                {
                    "title": s.content.title,
                    "version": s.version,
                    **s.content.model_dump(mode="json", exclude={"title"}),
                }
                for s in found
            ]
        )

    async def update_todo(self, args: TodoArgs) -> str:
        try:
            plans.update_item(
                self.engine,
                self.workspace,
                plan_id=self.plan_id,
                item_id=args.item_id,
                status=args.status,
                note=args.note,
            )
        except plans.UnknownItem as exc:
            raise ToolError(str(exc)) from None
        await self.delivery.emit(
            PlanItemUpdated(
                plan_id=self.plan_id, item_id=args.item_id, status=args.status, note=args.note
            )
        )
        return f"{args.item_id}: {args.status.value}"

    async def write_skill(self, args: WriteSkillArgs) -> str:
        skill, path = skills.write_skill(
            self.engine,
            self.workspace,
            role="engineer",
            content=args.skill,
            run_id=self.run_id,
            failures_before=self.failures,
        )
        self.skills_written += 1
        await self.delivery.emit(
            SkillWritten(
                skill_id=skill.id,
                role="engineer",
                slug=skill.slug,
                version=skill.version,
                content=args.skill,
                path=str(path),
                failures_before=self.failures,
            )
        )
        return f"skill {skill.slug} written"

    # -- submission and refusal -------------------------------------------------------------

    async def _review(self, payload: SolutionSubmitted | PlanRefused) -> CriticReviewCreated:
        envelope = self.delivery.follow(payload)
        try:
            reply = await self.bus.request(
                envelope, [CriticReviewCreated], timeout=self.delivery_timeout
            )
        except (RequestFailed, RequestTimeout) as exc:
            raise ToolError(f"the critic gave no review: {exc}") from None
        review: CriticReviewCreated = reply.payload
        self._last_review_id = reply.id
        self.review_totals.append(review.totals)
        if review.verdict is not None:
            self.sim_calls += review.verdict.sim_calls
            self._spent_sim(review.verdict.sim_time_s)
        return review

    def _spent_sim(self, seconds: float) -> None:
        self.sim_time_s += seconds
        if self.budget is not None:
            self.budget.record_sim_time(seconds)

    async def request_review(self, args: DesignArgs) -> ReviewReport:
        built = self._design(args.design_id)
        review = await self._review(
            SolutionSubmitted(
                plan_id=self.plan_id,
                solve_key=self.request.key,
                benchmark_id=self.request.benchmark_id,
                spec=self.spec,
                stage="preview",
                attempt=0,
                design_id=args.design_id,
                code=built.code,
                solution=built.solution,
                meshes=(*self.request.meshes, *built.meshes),
            )
        )
        reasons = [f"{r.issue.value}: {r.message}" for r in review.reasons]
        await self._answer(
            "accepted" if review.decision == "accept" else "revising",
            f"preview review: {review.decision}",
        )
        return ReviewReport(
            decision=review.decision,
            reasons=reasons,
            verdict=review.verdict,
            submissions_left=self.request.max_submissions - self.submissions,
        )

    async def _answer(
        self, action: Literal["accepted", "revising", "giving_up"], note: str
    ) -> None:
        await self.delivery.emit(
            ReviewAnswered(
                plan_id=self.plan_id,
                review_id=self._last_review_id,
                action=action,
                note=note[:2000],
            )
        )

    async def submit(self, args: DesignArgs) -> ReviewReport:
        if self.finished:
            raise ToolError("a solution was already accepted")
        if self.submissions >= self.request.max_submissions:
            raise ToolError(f"all {self.request.max_submissions} submissions are used")
        built = self._design(args.design_id)
        self.submissions += 1
        review = await self._review(
            SolutionSubmitted(
                plan_id=self.plan_id,
                solve_key=self.request.key,
                benchmark_id=self.request.benchmark_id,
                spec=self.spec,
                stage="final",
                attempt=self.submissions,
                design_id=args.design_id,
                code=built.code,
                solution=built.solution,
                meshes=(*self.request.meshes, *built.meshes),
            )
        )
        reasons = [f"{r.issue.value}: {r.message}" for r in review.reasons]
        left = self.request.max_submissions - self.submissions
        action: Literal["accepted", "revising", "giving_up"]
        if review.decision == "accept":
            self.accepted = review
            action, note = "accepted", "accepted; the solve is complete"
        else:
            self.failures += 1
            self.last_reasons = reasons
            action = "revising" if left else "giving_up"
            note = f"revising after: {'; '.join(reasons)[:1500]}" if left else "no submissions left"
        await self._answer(action, note)
        return ReviewReport(
            decision=review.decision, reasons=reasons, verdict=review.verdict, submissions_left=left
        )

    _last_review_id: str = ""

    async def refuse(self, args: RefuseArgs) -> ReviewReport:
        if self.finished:
            raise ToolError("the solve is already complete")
        review = await self._review(
            PlanRefused(
                plan_id=self.plan_id,
                solve_key=self.request.key,
                benchmark_id=self.request.benchmark_id,
                spec=self.spec,
                proof=args.proof,
            )
        )
        reasons = [f"{r.issue.value}: {r.message}" for r in review.reasons]
        if review.decision == "accept":
            self.accepted_refusal = args.proof
            await self._answer("accepted", "refusal accepted; the solve ends")
        else:
            self.last_reasons = reasons
            await self._answer("revising", "refusal rejected; designing instead")
        return ReviewReport(
            decision=review.decision,
            reasons=reasons,
            submissions_left=self.request.max_submissions - self.submissions,
        )


def preview_report(
    did: str, spec: BenchmarkSpec, result: SimJobCompleted | SimJobFailed
) -> PreviewReport:
    """What the engineer learns from one simulation."""
    if isinstance(result, SimJobFailed):
        return PreviewReport(
            design_id=did,
            passed=False,
            success_rate=0.0,
            failures=[f"{result.reason.value}: {result.detail[:300]}"],
            cost=0.0,
            mass_kg=0.0,
        )
    copies = result.metrics.copies
    times = [c.time_to_goal_s for c in copies if c.time_to_goal_s is not None]
    distance = None
    if isinstance(spec.goal, ReachZone) and spec.payload is not None:
        zone = spec.goal.zone
        ends = [p.pos for c in copies for p in c.final_poses if p.name == spec.payload.label]
        if ends:
            distance = round(sum(_distance(e, zone.low, zone.high) for e in ends) / len(ends), 5)
    seen: dict[str, None] = {}
    for f in result.failures:
        seen.setdefault(f"{f.kind.value}: {f.message[:200]}", None)
    return PreviewReport(
        design_id=did,
        passed=result.passed,
        success_rate=round(result.metrics.success_rate, 6),
        failures=list(seen)[:8],
        violations=[f"{v.kind.value}: {v.message}" for v in result.scoring.violations],
        cost=round(result.scoring.total_cost, 6),
        mass_kg=round(result.scoring.total_mass_kg, 6),
        worst_time_to_goal_s=max(times) if times and len(times) == len(copies) else None,
        distance_to_goal_m=distance,
    )


def _world_box(pose: Pose, low: Vec3, high: Vec3) -> tuple[Vec3, Vec3]:
    corners = [
        pose.apply((x, y, z))
        for x in (low[0], high[0])
        for y in (low[1], high[1])
        for z in (low[2], high[2])
    ]
    lo = tuple(round(min(c[i] for c in corners), 6) for i in range(3))
    hi = tuple(round(max(c[i] for c in corners), 6) for i in range(3))
    return lo, hi  # type: ignore[return-value]


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _distance(p: tuple[float, float, float], low: Any, high: Any) -> float:
    return math.sqrt(
        sum(max(lo - v, 0.0, v - hi) ** 2 for v, lo, hi in zip(p, low, high, strict=True))
    )
