"""The workspace holds each submitted design with the simulator's scene and verdicts."""

from __future__ import annotations

import mujoco
import orjson
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.db.projections.projector import rebuild
from arena_core.events import Envelope
from arena_core.events.engineer import SolutionSubmitted
from arena_core.events.sim import SimJobRequested
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal, ramp_solution
from simrunner.simulate import simulate
from tests.recorder.recording import settle


async def test_a_submitted_design_folder_holds_code_scene_and_both_verdicts(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings
) -> None:
    spec, solution = ball_to_goal(0), ramp_solution()
    submitted = Envelope.new(
        SolutionSubmitted(
            plan_id="p1", solve_key="k1", benchmark_id="b1", spec=spec, stage="final",
            attempt=1, design_id="d1", code="def build(): ...", solution=solution,
        ),
        run_id="run-designs",
    )  # fmt: skip
    official = submitted.follow(SimJobRequested(spec=spec, solution=solution))
    stress = submitted.follow(SimJobRequested(spec=spec, solution=solution, preview=True))
    for env in (submitted, official, stress):
        await bus.publish(env)
    await bus.publish(official.follow(simulate(spec, solution, with_mjcf=True)))
    await bus.publish(stress.follow(simulate(spec, solution)))
    await settle(bus, engine)

    folder = settings.workspace / "run-designs" / "designs" / "d1"
    assert (folder / "design.py").read_text() == "def build(): ..."
    assert orjson.loads((folder / "sim-report.json").read_bytes())["metrics"]["copies"]
    assert "mjcf" not in orjson.loads((folder / "sim-report.json").read_bytes())
    assert (folder / "stress-report.json").is_file()
    model = mujoco.MjModel.from_xml_path(str(folder / "scene.xml"))  # loads as it is
    assert model.ngeom > 0

    for name in ("scene.xml", "sim-report.json", "stress-report.json"):
        (folder / name).unlink()
    rebuild(engine, settings.workspace)
    assert {p.name for p in folder.iterdir()} >= {"scene.xml", "sim-report.json",
                                                  "stress-report.json", "design.py"}  # fmt: skip
