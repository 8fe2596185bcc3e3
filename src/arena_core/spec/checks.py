"""Contradictions in a benchmark spec, found before any simulation, each with a typed reason."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from arena_core.spec.base import SpecModel, Vec3
from arena_core.spec.geometry import Mesh, Plane, world_aabb

if TYPE_CHECKING:
    from arena_core.spec.benchmark import BenchmarkSpec
    from arena_core.spec.objects import DynamicObject, Motor, StaticObject
    from arena_core.spec.zones import Zone


class Contradiction(StrEnum):
    """Why a spec cannot be a fair benchmark."""

    duplicate_label = "duplicate_label"
    """Two elements share a label."""
    unknown_material = "unknown_material"
    """An object names a material the spec does not define."""
    unknown_object = "unknown_object"
    """The goal names no dynamic object of the spec."""
    goal_in_forbid_zone = "goal_in_forbid_zone"
    """The goal zone overlaps a forbid zone: reaching the goal means failing."""
    goal_outside_bounds = "goal_outside_bounds"
    """The goal zone (or hold height) lies outside the world bounds."""
    payload_outside_bounds = "payload_outside_bounds"
    """The payload starts (or may start, after jitter) outside the world bounds."""
    payload_in_build_zone = "payload_in_build_zone"
    """The payload starts (or may start) inside the build zone, where parts go."""
    payload_in_forbid_zone = "payload_in_forbid_zone"
    """The payload starts (or may start) touching a forbid zone."""
    build_zone_unreachable = "build_zone_unreachable"
    """No part can be placed in the build zone: outside the world, forbidden or filled."""
    goal_met_at_start = "goal_met_at_start"
    """The payload already satisfies the goal before anything happens."""


class SpecIssue(SpecModel):
    """One contradiction, with the labels involved."""

    reason: Contradiction
    """What is wrong."""
    detail: str
    """A sentence a person can act on."""
    labels: tuple[str, ...] = Field(default=())
    """Labels of the elements involved."""


def _payload_box(obj: DynamicObject, pos: Vec3) -> tuple[Vec3, Vec3]:
    if isinstance(obj.geometry, Mesh):
        return pos, pos  # extent unknown without the file: judge by the origin
    return world_aabb(obj.geometry, obj.pose.model_copy(update={"pos": pos}))


def _jitter_envelope(spec: BenchmarkSpec, obj: DynamicObject) -> tuple[Vec3, Vec3]:
    """Bounding box of every start the jitter can produce."""
    j = spec.jitter.position
    low, high = _payload_box(obj, obj.pose.pos)
    return (
        (low[0] - j[0], low[1] - j[1], low[2] - j[2]),
        (high[0] + j[0], high[1] + j[1], high[2] + j[2]),
    )


def _static_box(obj: StaticObject) -> tuple[Vec3, Vec3] | None:
    if isinstance(obj.geometry, Mesh | Plane):
        return None
    return world_aabb(obj.geometry, obj.pose)


def _reachability(spec: BenchmarkSpec) -> str | None:
    build: Zone = spec.build_zone
    if not spec.bounds.overlaps(build):
        return "the build zone lies outside the world bounds"
    for forbid in spec.forbid_zones:
        if forbid.covers(build):
            return f"the build zone lies entirely inside forbid zone {forbid.label}"
    for obj in spec.static_objects:
        box = _static_box(obj)
        if box is not None and _box_covers(box, build):
            return f"the build zone lies entirely inside static object {obj.label}"
    return None


def _box_covers(box: tuple[Vec3, Vec3], zone: Zone) -> bool:
    low, high = box
    return all(
        lo <= zl and zh <= hi for lo, hi, zl, zh in zip(low, high, zone.low, zone.high, strict=True)
    )


def find_contradictions(spec: BenchmarkSpec) -> list[SpecIssue]:
    """Every contradiction of ``spec``, in a stable order."""
    issues: list[SpecIssue] = []

    def add(reason: Contradiction, detail: str, *labels: str) -> None:
        issues.append(SpecIssue(reason=reason, detail=detail, labels=labels))

    for label, n in Counter(spec.labels()).items():
        if n > 1:
            add(Contradiction.duplicate_label, f"label {label!r} is used {n} times", label)
    material_names = {m.name for m in spec.materials}
    for dup, n in Counter(m.name for m in spec.materials).items():
        if n > 1:
            add(Contradiction.duplicate_label, f"material {dup!r} is defined {n} times", dup)
    owners: list[StaticObject | DynamicObject | Motor] = [
        *spec.static_objects,
        *spec.dynamic_objects,
        *spec.motors,
    ]
    for obj in owners:
        if obj.material not in material_names:
            add(
                Contradiction.unknown_material,
                f"{obj.label} uses unknown material {obj.material!r}",
                obj.label,
            )

    goal = spec.goal
    if goal.kind == "reach_zone":
        if not spec.bounds.covers(goal.zone):
            add(
                Contradiction.goal_outside_bounds,
                f"goal zone {goal.zone.label} is not inside the world bounds",
                goal.zone.label,
            )
        for forbid in spec.forbid_zones:
            if forbid.overlaps(goal.zone):
                add(
                    Contradiction.goal_in_forbid_zone,
                    f"goal zone {goal.zone.label} overlaps forbid zone {forbid.label}",
                    goal.zone.label,
                    forbid.label,
                )
    elif not spec.bounds.low[2] <= goal.height <= spec.bounds.high[2]:
        add(
            Contradiction.goal_outside_bounds,
            f"hold height {goal.height} m is outside the world bounds' z range",
        )

    payload = spec.payload
    if payload is None:
        add(
            Contradiction.unknown_object,
            f"the goal names {goal.object!r}, which is not a dynamic object of the spec",
            goal.object,
        )
    else:
        low, high = _jitter_envelope(spec, payload)
        label = payload.label
        if not spec.bounds.contains_box(low, high):
            add(
                Contradiction.payload_outside_bounds,
                f"payload {label} may start outside the world bounds (jitter included)",
                label,
                spec.bounds.label,
            )
        if spec.build_zone.overlaps_box(low, high):
            add(
                Contradiction.payload_in_build_zone,
                f"payload {label} may start inside build zone {spec.build_zone.label}",
                label,
                spec.build_zone.label,
            )
        for forbid in spec.forbid_zones:
            if forbid.overlaps_box(low, high):
                add(
                    Contradiction.payload_in_forbid_zone,
                    f"payload {label} may start touching forbid zone {forbid.label}",
                    label,
                    forbid.label,
                )
        start = payload.pose.pos
        if goal.kind == "reach_zone" and goal.zone.contains_point(start):
            add(
                Contradiction.goal_met_at_start,
                f"payload {label} starts inside goal zone {goal.zone.label}",
                label,
                goal.zone.label,
            )

    unreachable = _reachability(spec)
    if unreachable:
        add(Contradiction.build_zone_unreachable, unreachable, spec.build_zone.label)
    return issues
