"""Replay: run timelines, conversations, diffs, redrive and the recording's gap check."""

from arena_core.replay.conversations import (
    ContinuityIssue,
    Conversation,
    IssueKind,
    check_continuity,
    conversations,
    load_conversation,
)
from arena_core.replay.diff import DiffReport, Divergence, diff_runs, first_divergence
from arena_core.replay.gaps import Gap, GapKind, GapReport, check_gaps
from arena_core.replay.redrive import NothingToRedrive, RedrivePlan, plan_redrive, redrive
from arena_core.replay.runs import AmbiguousRun, RunSummary, UnknownRun, list_runs, resolve_run
from arena_core.replay.timeline import TimelineEntry, timeline

__all__ = [
    "AmbiguousRun",
    "ContinuityIssue",
    "Conversation",
    "DiffReport",
    "Divergence",
    "Gap",
    "GapKind",
    "GapReport",
    "IssueKind",
    "NothingToRedrive",
    "RedrivePlan",
    "RunSummary",
    "TimelineEntry",
    "UnknownRun",
    "check_continuity",
    "check_gaps",
    "conversations",
    "diff_runs",
    "first_divergence",
    "list_runs",
    "load_conversation",
    "plan_redrive",
    "redrive",
    "resolve_run",
    "timeline",
]
