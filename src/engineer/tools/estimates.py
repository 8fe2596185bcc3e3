"""``estimate``: a design's mass and cost against the benchmark's limits."""

from __future__ import annotations

from engineer.session import EngineerSession
from engineer.tools.base import DesignArgs, as_json


async def estimate(session: EngineerSession, args: DesignArgs) -> str:
    built = session.design(args.design_id)
    mass = cost = 0.0
    for part in built.result.parts:
        material = session.spec.material(part.role)
        assert material is not None  # run_cad accepts only parts of known materials
        part_mass, part_cost = material.mass_and_cost(part.volume_m3)
        mass += part_mass
        cost += part_cost
    limits = session.spec.constraints
    return as_json(
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
