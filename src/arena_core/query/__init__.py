"""Queries over NATS: what a service on any node may ask of the recording.

A service never opens the database; it sends a typed query (``models``) with ``ask``
(``client``) and the responder beside the recorder (``responder``, reading with
``reads``) answers it from the recording. Queries are core-NATS request/reply on
``_ARENA.query.<kind>``: they are reads, so nothing of them is recorded.
"""

from arena_core.query.client import QueryFailed, QueryRefused, QueryUnanswered, ask
from arena_core.query.models import (
    BenchmarkTarget,
    EvaluatedAnswer,
    EvaluatedProfile,
    EvaluatedQuery,
    ExperimentsAnswer,
    ExperimentsQuery,
    ProfileAnswer,
    ProfileQuery,
    Query,
    SelectedBenchmark,
    SelectionAnswer,
    SelectionQuery,
    SimulationAnswer,
    SimulationQuery,
    SkillsAnswer,
    SkillsQuery,
    SolveOutcome,
    SolveOutcomesAnswer,
    SolveOutcomesQuery,
    SpentAnswer,
    SpentQuery,
    TargetsAnswer,
    TargetsQuery,
)

__all__ = [
    "BenchmarkTarget",
    "EvaluatedAnswer",
    "EvaluatedProfile",
    "EvaluatedQuery",
    "ExperimentsAnswer",
    "ExperimentsQuery",
    "ProfileAnswer",
    "ProfileQuery",
    "Query",
    "QueryFailed",
    "QueryRefused",
    "QueryUnanswered",
    "SelectedBenchmark",
    "SelectionAnswer",
    "SelectionQuery",
    "SimulationAnswer",
    "SimulationQuery",
    "SkillsAnswer",
    "SkillsQuery",
    "SolveOutcome",
    "SolveOutcomesAnswer",
    "SolveOutcomesQuery",
    "SpentAnswer",
    "SpentQuery",
    "TargetsAnswer",
    "TargetsQuery",
    "ask",
]
