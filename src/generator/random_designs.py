"""Random designs: what a solver with no idea would build, to prove a benchmark needs one.

A random design is one or two parts from random templates — a flat plate, a tilted ramp,
an upright post, a block — with random sizes, orientations and places inside the build
zone, of a material and thickness the process allows; on a benchmark with motors, each
part rides on a random motor half of the time. The same spec and seed give the same
designs.
"""

from __future__ import annotations

import hashlib
import math
import random

import orjson

from arena_core.spec import BenchmarkSpec, Box, Pose, Solution, SolutionPart, world_aabb

KINDS = ("plate", "ramp", "post", "block")
"""The random templates."""
TRIES = 12
"""Shrinking attempts to fit one part inside the build zone."""


def random_designs(spec: BenchmarkSpec, count: int, seed: int = 0) -> list[Solution]:
    """``count`` random designs for ``spec`` (fewer only if the build zone fits none)."""
    key = hashlib.sha256(orjson.dumps(spec.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    rng = random.Random(f"random-designs/{key.hexdigest()}/{seed}")
    designs: list[Solution] = []
    for _ in range(count * 3):
        if len(designs) == count:
            break
        parts = [_part(spec, rng, f"part{i}") for i in range(rng.choice((1, 1, 2)))]
        if all(parts):
            designs.append(Solution(parts=tuple(p for p in parts if p is not None)))
    return designs


def _material(spec: BenchmarkSpec, rng: random.Random) -> str:
    rules = spec.constraints.process
    names = [m.name for m in spec.materials]
    allowed = [n for n in names if rules is None or not rules.materials or n in rules.materials]
    return rng.choice(allowed or names)


def _part(spec: BenchmarkSpec, rng: random.Random, name: str) -> SolutionPart | None:
    zone, rules = spec.build_zone, spec.constraints.process
    room = [h - lo for lo, h in zip(zone.low, zone.high, strict=True)]
    low_t = max(rules.min_thickness or 0.0 if rules else 0.0, 0.003)
    thick = rules.sheet_thickness if rules and rules.sheet_thickness else rng.uniform(low_t, 0.02)
    kind = rng.choice(KINDS)
    size = [rng.uniform(0.2, 1.0) * room[0], rng.uniform(0.2, 1.0) * room[1], thick]
    yaw, pitch, roll = rng.uniform(-math.pi, math.pi), 0.0, 0.0
    if kind == "ramp":
        pitch, roll = rng.uniform(-0.8, 0.8), rng.uniform(-0.3, 0.3)
    elif kind == "post":
        pitch = math.pi / 2
        size[0] = rng.uniform(0.2, 1.0) * room[2]
    elif kind == "block" and not (rules and rules.sheet_thickness):
        size[2] = max(rng.uniform(0.2, 1.0) * room[2], thick)
    if rules and rules.max_extent:
        largest = sorted(rules.max_extent, reverse=True)
        order = sorted(range(3), key=lambda i: -size[i])
        for rank, i in enumerate(order):
            size[i] = min(size[i], largest[rank])
    center = [rng.uniform(lo, h) for lo, h in zip(zone.low, zone.high, strict=True)]
    motor = rng.choice(spec.motors).label if spec.motors and rng.random() < 0.5 else None
    for _ in range(TRIES):
        geometry = Box(half_size=(size[0] / 2, size[1] / 2, size[2] / 2))
        pose = Pose.at(*center, euler=(roll, pitch, yaw))
        low, high = world_aabb(geometry, pose)
        if zone.contains_box(low, high):
            return SolutionPart(
                name=name, geometry=geometry, pose=pose, material=_material(spec, rng),
                motor=motor,
            )  # fmt: skip
        # Shrink the long sides, then draw the centre again among the places it fits.
        for i in range(2):
            size[i] = max(size[i] * 0.75, thick)
        half = [(h - lo) / 2 for lo, h in zip(low, high, strict=True)]
        center = [
            rng.uniform(zl + hh + 1e-4, zh - hh - 1e-4) if zh - zl > 2 * hh + 2e-4 else c
            for c, zl, zh, hh in zip(center, zone.low, zone.high, half, strict=True)
        ]
    return None
