"""Constraints on solutions: budget, weight, and the manufacturing process with its rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from arena_core.spec.base import Label, Positive, SpecModel, Vec3


class Process(StrEnum):
    """How solution parts are made."""

    fdm_3d_print = "fdm_3d_print"
    cnc_milling = "cnc_milling"
    laser_cutting = "laser_cutting"


class ProcessRules(SpecModel):
    """Rules a part must satisfy to be manufacturable by ``process``."""

    process: Process
    """The manufacturing process."""
    max_extent: Vec3 | None = None
    """Largest part bounding box (build volume or stock size), metres, sorted descending."""
    min_thickness: Positive | None = None
    """Smallest allowed bounding-box dimension of a part (metres)."""
    sheet_thickness: Positive | None = None
    """For sheet processes: every part's thinnest dimension must equal this (metres)."""
    materials: tuple[Label, ...] = ()
    """Materials this process can use; empty = any."""
    max_parts: int | None = Field(default=None, ge=1)
    """Most parts a solution may have."""

    @classmethod
    def fdm(cls) -> ProcessRules:
        """A desktop FDM printer: 250 mm cube, 1.2 mm walls, PLA or ABS."""
        return cls(
            process=Process.fdm_3d_print,
            max_extent=(0.25, 0.25, 0.25),
            min_thickness=0.0012,
            materials=("pla", "abs"),
        )

    @classmethod
    def cnc(cls) -> ProcessRules:
        """A 3-axis mill with 400 x 300 x 100 mm stock in aluminium or steel."""
        return cls(
            process=Process.cnc_milling,
            max_extent=(0.4, 0.3, 0.1),
            min_thickness=0.002,
            materials=("aluminium", "steel"),
        )

    @classmethod
    def laser(cls, sheet_thickness: float = 0.006) -> ProcessRules:
        """A laser cutter with 600 x 400 mm plywood or acrylic sheets."""
        return cls(
            process=Process.laser_cutting,
            max_extent=(0.6, 0.4, sheet_thickness),
            sheet_thickness=sheet_thickness,
            materials=("plywood",),
        )


class Constraints(SpecModel):
    """Limits a solution is scored against (checked by the simrunner, never self-reported)."""

    max_cost: Positive | None = None
    """Largest total material cost of all parts (currency units)."""
    max_mass: Positive | None = None
    """Largest total mass of all parts (kg)."""
    process: ProcessRules | None = None
    """Manufacturing process and its rules; ``None`` = unconstrained."""
