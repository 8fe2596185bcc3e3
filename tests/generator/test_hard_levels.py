"""What makes bridge_gap and hold_load hard at high levels, on real MuJoCo: a clearance
envelope under the bridge, conduits and a duct around the load, a support that must stand
off centre. Each lever exists where it should, the reference clears it, and a design the
lever is meant to stop fails on it."""

from __future__ import annotations

import itertools

import pytest

from arena_core.events.sim import SimJobCompleted
from arena_core.spec import BenchmarkSpec, Box, Pose, Solution, SolutionPart
from engineer.catalogue import decode
from engineer.design import Design
from engineer.scene import Scene
from generator.families import FAMILIES, solution_from_draft, spec_from_draft
from generator.families.bridge_gap import SHEET
from simrunner.simulate import simulate

SEEDS = (3, 4)


def _spec(name: str, seed: int, difficulty: int) -> BenchmarkSpec:
    return spec_from_draft(FAMILIES[name].draw(seed, difficulty))


def _zones(spec: BenchmarkSpec) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    return {z.label: (z.low, z.high) for z in spec.forbid_zones}


def _simulate(spec: BenchmarkSpec, design: Design | None) -> SimJobCompleted:
    assert design is not None
    parts = []
    for plate, placed in zip(design.plates, design.placements(), strict=True):
        parts.append(
            SolutionPart(
                name=plate.name,
                geometry=Box(half_size=(plate.size[0] / 2, plate.size[1] / 2, plate.size[2] / 2)),
                pose=Pose(pos=placed["pos"], quat=placed["quat"]),
                material=design.material.name,
            )
        )
    return simulate(spec, Solution(parts=tuple(parts)))


def _touched(result: SimJobCompleted) -> set[str]:
    return {f.subjects[-1] for f in result.failures if f.kind.value == "forbid_zone"}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_bridge_clearance_envelope_starts_at_level_2_and_closes_in(seed: int) -> None:
    assert set(_zones(_spec("bridge_gap", seed, 1))) == {"pit"}
    depths = []
    for difficulty in range(2, 6):
        spec = _spec("bridge_gap", seed, difficulty)
        ledge = max(
            o.pose.pos[2] + o.geometry.half_size[2]
            for o in spec.static_objects
            if o.label.endswith("_ledge") and isinstance(o.geometry, Box)
        )
        depths.append(ledge - SHEET - _zones(spec)["clearance"][1][2])
    assert all(a > b > 0 for a, b in itertools.pairwise(depths)), depths
    assert depths[-1] < 0.0025


@pytest.mark.parametrize("difficulty", [1, 5])
def test_the_reference_plank_clears_the_envelope_on_every_copy(difficulty: int) -> None:
    draft = FAMILIES["bridge_gap"].draw(SEEDS[0], difficulty)
    result = simulate(spec_from_draft(draft), solution_from_draft(draft))
    assert result.passed, [f.message for f in result.failures]


def test_a_deck_set_low_holds_the_ball_at_level_1_and_touches_the_envelope_at_5() -> None:
    # A narrow flat deck, its top 2.5 mm under the ledges' tops.
    low = (0.5, 0.3, 0.05, 0.5)
    easy, hard = _spec("bridge_gap", SEEDS[0], 1), _spec("bridge_gap", SEEDS[0], 5)
    assert _simulate(easy, decode(easy, "deck", low)).passed
    result = _simulate(hard, decode(hard, "deck", low))
    assert not result.passed
    assert _touched(result) == {"clearance"}
    flush = _simulate(hard, decode(hard, "deck", (0.5, 0.8, 0.05, 0.5)))
    assert flush.passed, [f.message for f in flush.failures]


@pytest.mark.parametrize("seed", SEEDS)
def test_hold_load_gains_conduits_at_level_2_and_a_duct_under_the_load_at_level_3(
    seed: int,
) -> None:
    labels = [set(_zones(_spec("hold_load", seed, d))) for d in range(1, 6)]
    assert labels[0] == set()
    assert labels[1] == {"conduit_west", "conduit_east"}
    assert all(later == {"conduit_west", "conduit_east", "duct"} for later in labels[2:])
    spec = _spec("hold_load", seed, 3)
    crate = spec.payload
    assert crate is not None
    low, high = _zones(spec)["duct"]
    assert low[1] < crate.pose.pos[1] < high[1] and high[2] < crate.pose.pos[2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("difficulty", [4, 5])
def test_from_level_4_a_conduit_lies_under_the_crates_landing_spread(
    seed: int, difficulty: int
) -> None:
    spec = _spec("hold_load", seed, difficulty)
    crate = spec.payload
    assert crate is not None and isinstance(crate.geometry, Box)
    cx, half, spread = crate.pose.pos[0], crate.geometry.half_size[0], spec.jitter.position[0]
    near = min(
        abs(face - cx)
        for low, high in (_zones(spec)[f"conduit_{s}"] for s in ("west", "east"))
        for face in (low[0], high[0])
    )
    # Past the furthest landing's centre, inside the reach of the crate's side.
    assert spread < near < spread + half
    # Below every crate at rest, so only a support can touch it.
    assert all(high[2] < crate.pose.pos[2] - half - 0.001 for low, high in _zones(spec).values())


@pytest.mark.parametrize("difficulty", [1, 2, 3, 4, 5])
def test_the_hold_load_reference_clears_every_zone_and_holds_every_copy(difficulty: int) -> None:
    draft = FAMILIES["hold_load"].draw(SEEDS[0], difficulty)
    result = simulate(spec_from_draft(draft), solution_from_draft(draft))
    assert result.passed, [f.message for f in result.failures]


def _support(spec: BenchmarkSpec, near_edge: float) -> Design | None:
    """The leanest postless support template whose edge towards the payload's side at
    ``near_edge`` (world x) sits there."""
    scene = Scene.of(spec)
    zone = spec.build_zone
    side = min(2 * scene.radius + 0.004, *(zone.high[i] - zone.low[i] - 0.01 for i in (0, 1)))
    toward = 1.0 if near_edge > scene.start[0] else -1.0
    shift = near_edge - toward * side / 2 - scene.start[0]
    return decode(spec, "support", (0.0, 0.0, 0.3, 0.5 + shift / (2 * scene.radius), 0.5))


def test_at_level_5_a_centred_shelf_touches_a_conduit_and_an_off_centre_support_holds() -> None:
    draft = FAMILIES["hold_load"].draw(SEEDS[0], 5)
    spec = spec_from_draft(draft)
    shelf = next(s for s in draft.reference if s.name == "shelf")
    crate = spec.payload
    assert crate is not None and isinstance(shelf.shape, Box)
    # The reference's shelf moved back under the crate's centre.
    centred = Solution(
        parts=(
            SolutionPart(
                name="shelf",
                geometry=shelf.shape,
                pose=Pose.at(crate.pose.pos[0], crate.pose.pos[1], shelf.at[2]),
                material=shelf.material,
            ),
        )
    )
    result = simulate(spec, centred)
    assert not result.passed
    assert _touched(result) and _touched(result) <= {"conduit_west", "conduit_east"}
    # The offline team's support template, its near edge where the reference's is.
    toward = 1.0 if shelf.at[0] < crate.pose.pos[0] else -1.0
    near_edge = shelf.at[0] + toward * shelf.shape.half_size[0]
    off_centre = _simulate(spec, _support(spec, near_edge))
    assert off_centre.passed, [f.message for f in off_centre.failures]
