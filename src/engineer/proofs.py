"""Refusal proofs: lower bounds any legal design must exceed, and their independent check.

Each bound rests only on the spec: the process makes parts at least as thick as its sheet
or minimum wall in every direction, so one part holds at least ``t^3`` of the cheapest
admissible material; with no motors, passive parts cannot lift the payload's centre
above where it starts (energy is not created).
"""

from __future__ import annotations

from arena_core.events.engineer import ProofKind, RefusalProof
from arena_core.spec import BenchmarkSpec, HoldAbove, Material, ReachZone
from engineer.scene import admissible_materials

RELATIVE_SLACK = 1e-6
"""Rounding a claimed bound may carry."""


def _thinnest(spec: BenchmarkSpec) -> float | None:
    rules = spec.constraints.process
    if rules is None:
        return None
    return rules.sheet_thickness or rules.min_thickness


def _cheapest(spec: BenchmarkSpec, weight: str) -> tuple[Material, float]:
    def per_m3(m: Material) -> float:
        mass, cost = m.mass_and_cost(1.0)
        return mass if weight == "mass" else cost

    material = min(admissible_materials(spec), key=lambda m: (per_m3(m), m.name))
    return material, per_m3(material)


def provable_refusals(spec: BenchmarkSpec) -> list[RefusalProof]:
    """Every refusal the spec itself proves (empty when a solution may exist)."""
    proofs: list[RefusalProof] = []
    limits = spec.constraints
    t = _thinnest(spec)
    if t is not None:
        for kind, limit, weight, unit in (
            (ProofKind.mass_lower_bound, limits.max_mass, "mass", "kg"),
            (ProofKind.cost_lower_bound, limits.max_cost, "cost", ""),
        ):
            if limit is None:
                continue
            material, per_m3 = _cheapest(spec, weight)
            bound = per_m3 * t**3
            if bound > limit:
                proofs.append(
                    RefusalProof(
                        kind=kind,
                        bound=bound,
                        limit=limit,
                        material=material.name,
                        min_part_size_m=(t, t, t),
                        argument=(
                            f"Every part is at least {t * 1000:.2f} mm in each direction, so it "
                            f"holds at least {t**3:.3g} m^3 of {material.name}, the cheapest "
                            f"admissible material: {weight} {bound:.4g}{unit} > {limit:.4g}{unit}."
                        ),
                    )
                )
    height = _required_height(spec)
    start = _highest_start(spec)
    if not spec.motors and height is not None and start is not None and height > start:
        proofs.append(
            RefusalProof(
                kind=ProofKind.goal_above_start,
                bound=height,
                limit=start,
                argument=(
                    f"No motor adds energy, so the payload's centre never rises above its "
                    f"start at {start:.3f} m; the goal needs {height:.3f} m."
                ),
            )
        )
    return proofs


def _required_height(spec: BenchmarkSpec) -> float | None:
    goal = spec.goal
    if isinstance(goal, ReachZone):
        return goal.zone.low[2]
    if isinstance(goal, HoldAbove):
        return goal.height
    return None


def _highest_start(spec: BenchmarkSpec) -> float | None:
    payload = spec.payload
    if payload is None:
        return None
    return payload.pose.pos[2] + spec.jitter.position[2]


def check_proof(spec: BenchmarkSpec, proof: RefusalProof) -> list[str]:
    """Why ``proof`` does not hold for ``spec`` (empty when it does)."""
    provable = {p.kind: p for p in provable_refusals(spec)}
    mine = provable.get(proof.kind)
    problems = []
    expected_limit = {
        ProofKind.mass_lower_bound: spec.constraints.max_mass,
        ProofKind.cost_lower_bound: spec.constraints.max_cost,
        ProofKind.goal_above_start: _highest_start(spec),
    }[proof.kind]
    if expected_limit is None:
        problems.append(f"the benchmark has no limit a {proof.kind} proof could exceed")
    elif abs(proof.limit - expected_limit) > RELATIVE_SLACK * max(abs(expected_limit), 1e-9):
        problems.append(
            f"the proof quotes limit {proof.limit:.6g}, the spec says {expected_limit:.6g}"
        )
    if proof.bound <= proof.limit:
        problems.append(f"the bound {proof.bound:.6g} does not exceed the limit {proof.limit:.6g}")
    if mine is None:
        problems.append(f"no {proof.kind} follows from the spec: a legal design may exist")
    elif proof.kind is ProofKind.goal_above_start:
        if proof.bound > mine.bound * (1 + RELATIVE_SLACK) + 1e-9:
            problems.append(f"the goal needs {mine.bound:.6g} m, not {proof.bound:.6g} m")
    elif proof.bound > mine.bound * (1 + RELATIVE_SLACK):
        problems.append(
            f"the claimed bound {proof.bound:.6g} exceeds what the spec proves ({mine.bound:.6g}, "
            f"{mine.material} at {mine.min_part_size_m})"
        )
    return problems
