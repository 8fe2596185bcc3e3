"""Materials: what parts are made of, what they weigh, how they grip, what they cost."""

from __future__ import annotations

from pydantic import Field

from arena_core.spec.base import Label, NonNegative, Positive, SpecModel


class Material(SpecModel):
    """A material with its physical and economic properties (SI units)."""

    name: Label
    """How objects and parts refer to it."""
    density: Positive
    """Density in kg/m^3."""
    friction: NonNegative = 0.8
    """Sliding friction coefficient (MuJoCo's first friction parameter)."""
    cost_per_kg: NonNegative = 0.0
    """Price of the raw material in currency units per kg."""
    rgba: tuple[float, float, float, float] = Field(default=(0.6, 0.6, 0.65, 1.0))
    """Display colour."""

    def mass_of(self, volume_m3: float) -> float:
        """Mass (kg) of ``volume_m3`` of this material."""
        return volume_m3 * self.density

    def price_of(self, mass_kg: float) -> float:
        """Price of ``mass_kg`` of this material: the one place mass x price is computed
        (the simulator's scoring, the engineer's estimates and workbench, the
        generator's references)."""
        return mass_kg * self.cost_per_kg

    def mass_and_cost(self, volume_m3: float) -> tuple[float, float]:
        """Mass (kg) and price of ``volume_m3`` of this material."""
        mass = self.mass_of(volume_m3)
        return mass, self.price_of(mass)


STANDARD_MATERIALS: tuple[Material, ...] = (
    Material(name="pla", density=1240, friction=0.5, cost_per_kg=25, rgba=(0.9, 0.5, 0.1, 1)),
    Material(name="abs", density=1040, friction=0.5, cost_per_kg=22, rgba=(0.2, 0.2, 0.8, 1)),
    Material(name="aluminium", density=2700, friction=0.6, cost_per_kg=8, rgba=(0.8, 0.8, 0.85, 1)),
    Material(name="steel", density=7850, friction=0.6, cost_per_kg=3, rgba=(0.5, 0.5, 0.55, 1)),
    Material(name="plywood", density=600, friction=0.7, cost_per_kg=4, rgba=(0.8, 0.7, 0.5, 1)),
    Material(name="rubber", density=1100, friction=1.2, cost_per_kg=6, rgba=(0.1, 0.1, 0.1, 1)),
)
"""A catalogue to start from; a spec may define its own."""
