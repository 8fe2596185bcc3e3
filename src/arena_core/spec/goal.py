"""Goals: what must happen in the simulation for a copy of the benchmark to pass."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from arena_core.spec.base import Label, NonNegative, Positive, Real, SpecModel
from arena_core.spec.zones import Zone


class ReachZone(SpecModel):
    """The object's centre enters ``zone`` within ``within_s`` and stays ``hold_s``."""

    kind: Literal["reach_zone"] = "reach_zone"
    object: Label
    """The dynamic object that must arrive (the payload)."""
    zone: Zone
    """The goal zone."""
    within_s: Positive
    """Time limit T in seconds; the simulation runs this long."""
    hold_s: NonNegative = 0.0
    """How long the object must stay inside once it arrives."""


class HoldAbove(SpecModel):
    """The object's centre stays at or above ``height`` for ``hold_s`` within ``within_s``."""

    kind: Literal["hold_above"] = "hold_above"
    object: Label
    """The dynamic object that must be held (the load)."""
    height: Real
    """Height H of the object's centre (metres, world z)."""
    hold_s: Positive
    """How long it must stay at or above H without a break."""
    within_s: Positive
    """Time limit in seconds; the simulation runs this long."""


Goal = Annotated[ReachZone | HoldAbove, Field(discriminator="kind")]
"""Any goal of a benchmark."""
