"""Zones: axis-aligned boxes in the world (goal, build space, forbidden regions, bounds)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import model_validator

from arena_core.spec.base import Label, Real, SpecModel, Vec3


class Zone(SpecModel):
    """An axis-aligned box region of the world, given by its corners (metres)."""

    label: Label
    """Name of the zone, unique within the spec."""
    low: Vec3
    """Corner with the smallest x, y and z."""
    high: Vec3
    """Corner with the largest x, y and z."""

    @model_validator(mode="after")
    def _ordered(self) -> Zone:
        if any(h <= lo for lo, h in zip(self.low, self.high, strict=True)):
            raise ValueError(f"zone {self.label}: high must exceed low on every axis")
        return self

    @classmethod
    def around(cls, label: str, center: Vec3, half_size: Vec3) -> Zone:
        """A zone from its centre and half extents."""
        return cls(
            label=label,
            low=tuple(c - h for c, h in zip(center, half_size, strict=True)),
            high=tuple(c + h for c, h in zip(center, half_size, strict=True)),
        )

    @property
    def center(self) -> Vec3:
        return (
            (self.low[0] + self.high[0]) / 2,
            (self.low[1] + self.high[1]) / 2,
            (self.low[2] + self.high[2]) / 2,
        )

    @property
    def half_size(self) -> Vec3:
        return (
            (self.high[0] - self.low[0]) / 2,
            (self.high[1] - self.low[1]) / 2,
            (self.high[2] - self.low[2]) / 2,
        )

    def volume(self) -> float:
        h = self.half_size
        return 8 * h[0] * h[1] * h[2]

    def contains_point(self, point: Vec3, margin: Real = 0.0) -> bool:
        """Whether ``point`` lies inside (``margin`` > 0 shrinks the zone)."""
        return all(
            lo + margin <= p <= h - margin
            for p, lo, h in zip(point, self.low, self.high, strict=True)
        )

    def distance_to(self, point: Sequence[float]) -> float:
        """Euclidean distance from ``point`` to the zone (0 inside it)."""
        return math.sqrt(
            sum(
                max(lo - p, 0.0, p - hi) ** 2
                for p, lo, hi in zip(point, self.low, self.high, strict=True)
            )
        )

    def contains_box(self, low: Vec3, high: Vec3, tolerance: float = 0.0) -> bool:
        """Whether the box ``low``..``high`` lies entirely inside (within ``tolerance``)."""
        return all(
            zl - tolerance <= bl and bh <= zh + tolerance
            for bl, bh, zl, zh in zip(low, high, self.low, self.high, strict=True)
        )

    def overlaps_box(self, low: Vec3, high: Vec3) -> bool:
        """Whether the box ``low``..``high`` shares volume with this zone."""
        return all(
            bl < zh and zl < bh
            for bl, bh, zl, zh in zip(low, high, self.low, self.high, strict=True)
        )

    def overlaps(self, other: Zone) -> bool:
        return self.overlaps_box(other.low, other.high)

    def covers(self, other: Zone) -> bool:
        """Whether ``other`` lies entirely inside this zone."""
        return self.contains_box(other.low, other.high)
