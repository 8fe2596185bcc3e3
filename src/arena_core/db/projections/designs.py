"""Designs: every solution the engineer submitted (previews and finals), mirrored as
``<workspace>/<run>/designs/<design id>/`` with its CAD code (``design.py``), its
solution (``solution.json``) and its meshes (``meshes/<sha256>.stl``). A file mirror
only: the events stay the record, and ``arena db rebuild`` writes the folders again."""

from __future__ import annotations

import base64
from typing import Any

from arena_core.db.projections.artifacts import mirror
from arena_core.db.projections.base import Projection
from arena_core.events import Envelope
from arena_core.events.engineer import SolutionSubmitted


class DesignsProjection(Projection):
    """Mirrors each submitted design into the run's workspace."""

    name = "designs"
    events = (SolutionSubmitted,)
    tables = ()

    def apply(self, seq: int, env: Envelope[Any]) -> None:
        p = env.payload
        if self.workspace is None or not isinstance(p, SolutionSubmitted):
            return
        folder = f"designs/{p.design_id}"
        mirror(self.workspace, env.run_id, f"{folder}/design.py", p.code.encode())
        mirror(
            self.workspace, env.run_id, f"{folder}/solution.json",
            p.solution.model_dump_json(indent=2).encode(),
        )  # fmt: skip
        for mesh in p.meshes:
            data = base64.b64decode(mesh.data_b64)
            mirror(self.workspace, env.run_id, f"{folder}/meshes/{mesh.sha256}.stl", data)
