"""Designs: every solution the engineer submitted (previews and finals), mirrored as
``<workspace>/<run>/designs/<design id>/``:

- ``design.py``: its CAD code; ``solution.json``: its parts; ``meshes/<sha256>.stl``;
- ``scene.xml``: the MJCF the simulator judged (it loads as is, meshes beside it);
- ``sim-report.json``: the simulator's verdict on the official copies, and
  ``stress-report.json``: its verdict on the critic's stress copies.

A file mirror only: the events stay the record, and ``arena db rebuild`` writes the
folders again. A verdict finds its design through its causes (verdict -> sim request ->
submission), read from the recorded messages."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from sqlalchemy import select

from arena_core.db.projections.artifacts import mirror
from arena_core.db.projections.base import Projection
from arena_core.db.tables import messages
from arena_core.events import Envelope
from arena_core.events.engineer import SolutionSubmitted
from arena_core.events.sim import SimJobCompleted, SimJobRequested


class DesignsProjection(Projection):
    """Mirrors each submitted design, and the simulator's verdicts on it, into the run's
    workspace."""

    name = "designs"
    events = (SolutionSubmitted, SimJobCompleted)
    tables = ()

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if self.workspace is None:
            return
        if isinstance(p, SolutionSubmitted):
            self._design(env.run_id, p)
        elif isinstance(p, SimJobCompleted):
            self._verdict(env, p)

    def _design(self, run_id: str, p: SolutionSubmitted) -> None:
        assert self.workspace is not None
        folder = f"designs/{p.design_id}"
        mirror(self.workspace, run_id, f"{folder}/design.py", p.code.encode())
        mirror(
            self.workspace, run_id, f"{folder}/solution.json",
            p.solution.model_dump_json(indent=2).encode(),
        )  # fmt: skip
        for mesh in p.meshes:
            data = base64.b64decode(mesh.data_b64)
            mirror(self.workspace, run_id, f"{folder}/meshes/{mesh.sha256}.stl", data)

    def _verdict(self, env: Envelope[Any], p: SimJobCompleted) -> None:
        assert self.workspace is not None
        request = self._cause(env.causation_id, SimJobRequested.EVENT_TYPE)
        if request is None:
            return
        submission = self._cause(request.get("causation_id"), SolutionSubmitted.EVENT_TYPE)
        if submission is None:
            return
        folder = f"designs/{submission['payload']['design_id']}"
        stress = bool(request["payload"].get("preview"))
        report = p.model_dump(mode="json", exclude={"mjcf"})
        name = "stress-report.json" if stress else "sim-report.json"
        mirror(
            self.workspace,
            env.run_id,
            f"{folder}/{name}",
            orjson.dumps(report, option=orjson.OPT_INDENT_2),
        )
        if p.mjcf and not stress:
            mirror(self.workspace, env.run_id, f"{folder}/scene.xml", p.mjcf.encode())

    def _cause(self, msg_id: str | None, event_type: str) -> dict[str, Any] | None:
        """The recorded envelope ``msg_id`` (as JSON) when it is of ``event_type``."""
        if not msg_id:
            return None
        body = self.conn.execute(
            select(messages.c.body)
            .where(messages.c.msg_id == msg_id, messages.c.type == event_type)
            .limit(1)
        ).scalar()
        if body is None:
            return None
        found: dict[str, Any] = orjson.loads(body)
        return found
