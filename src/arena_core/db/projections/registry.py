"""The projections the recorder folds, in the order it folds (and flushes) them."""

from __future__ import annotations

from sqlalchemy import Table

from arena_core.db.projections.access import AccessProjection
from arena_core.db.projections.artifacts import ArtifactsProjection
from arena_core.db.projections.base import Projection
from arena_core.db.projections.benchmarks import BenchmarksProjection
from arena_core.db.projections.conversations import ConversationsProjection
from arena_core.db.projections.designs import DesignsProjection
from arena_core.db.projections.experiments import ExperimentsProjection
from arena_core.db.projections.jobs import JobsProjection
from arena_core.db.projections.plans import PlansProjection
from arena_core.db.projections.profiles import ProfilesProjection
from arena_core.db.projections.prompts import PromptsProjection
from arena_core.db.projections.rewards import RewardsProjection
from arena_core.db.projections.runs import RunsProjection
from arena_core.db.projections.skills import SkillsProjection
from arena_core.events import Payload


class Projections:
    """An ordered set of projection types and, per payload type, which of them fold it."""

    def __init__(self, *kinds: type[Projection]) -> None:
        names = [k.name for k in kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"projection names repeat: {names}")
        self.kinds = kinds
        self._routes: dict[type[Payload], tuple[int, ...]] = {}

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table the projections own, in registration order."""
        return tuple(t for k in self.kinds for t in k.tables)

    def route(self, payload_type: type[Payload]) -> tuple[int, ...]:
        """Indexes (in ``kinds``) of the projections that fold ``payload_type``."""
        route = self._routes.get(payload_type)
        if route is None:
            route = self._routes[payload_type] = tuple(
                i for i, k in enumerate(self.kinds) if issubclass(payload_type, k.events)
            )
        return route


PROJECTIONS = Projections(
    RunsProjection,  # first: the others' flushes may update the run rows it writes
    JobsProjection,
    RewardsProjection,  # after jobs: it reads whether a job has ended
    ConversationsProjection,
    ArtifactsProjection,
    BenchmarksProjection,
    AccessProjection,
    ProfilesProjection,
    PlansProjection,
    DesignsProjection,
    SkillsProjection,
    PromptsProjection,
    ExperimentsProjection,
)
"""Every projection of the database. Add one here to have it recorded and rebuilt."""
