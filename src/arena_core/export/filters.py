"""What an export takes (``ExportFilter``) and what it reports (``ExportSummary``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import func

from arena_core.db.tables import messages, turns
from arena_core.replay.conversations import ContinuityIssue
from arena_core.settings import LlmPolicyName

Outcome = Literal["success", "failure"]
"""How the job a conversation served ended."""

Progress = Callable[[int], None]
"""Called with the number of units (conversations, groups, events) just looked at."""


@dataclass(frozen=True)
class ExportFilter:
    """Which recordings an export takes."""

    role: str | None = None
    """Only this agent role."""
    outcome: Outcome | None = None
    """Only conversations whose job (else run) succeeded or failed."""
    since: datetime | None = None
    """Only calls/events at or after this time."""
    run_id: str | None = None
    """Only this run."""
    policy: LlmPolicyName | None = None
    """Only calls answered by this policy (``offline``, ``anthropic``, ``replay``)."""
    min_reward: float | None = None
    """Only rollouts whose reward is at least this (rows without a reward are left out)."""
    min_group_variance: float | None = None
    """GRPO: only groups whose rewards vary at least this much (population variance)."""
    min_margin: float | None = None
    """Preferences: only pairs whose rewards differ by at least this much."""


class SkipCause(StrEnum):
    """Why a conversation, group or pair was left out of an export."""

    filtered = "filtered"
    """It did not match ``--outcome``, ``--policy`` or ``--role``."""
    below_min_reward = "below_min_reward"
    """Its reward is under ``--min-reward``."""
    unanswered = "unanswered"
    """No call of it was answered."""
    broken = "broken"
    """Its turns are not whole (missing, duplicated or reordered); see the issues."""
    infrastructure = "infrastructure"
    """It has no reward because infrastructure failed (connection, dead letter, timeout)."""
    no_reward = "no_reward"
    """No reward could be found for it (no job, no verdict), where one is required."""
    no_variance = "no_variance"
    """A GRPO group whose rewards vary less than ``--min-group-variance``."""
    small_margin = "small_margin"
    """A preference pair whose reward margin is under ``--min-margin``."""
    missing_submission = "missing_submission"
    """A critic review whose submission is not in the recording."""


@dataclass
class ExportSummary:
    """What an export wrote and what it left out, by cause."""

    rows: int = 0
    """Rows written."""
    skipped_by: Counter[SkipCause] = field(default_factory=Counter)
    """Conversations, groups or pairs left out, by cause."""
    issues: list[ContinuityIssue] = field(default_factory=list)
    """Continuity issues of the broken conversations."""
    infrastructure: int = 0
    """Completions without a reward because infrastructure failed (never scored as 0)."""
    groups_with_variance: int | None = None
    """GRPO: groups whose rewards are not all equal."""

    @property
    def skipped(self) -> int:
        """Everything left out."""
        return sum(self.skipped_by.values())

    def skip(self, cause: SkipCause, n: int = 1) -> None:
        """Count ``n`` units left out for ``cause``."""
        self.skipped_by[cause] += n

    def describe(self) -> str:
        """``3 skipped: 2 broken, 1 filtered`` (or ``0 skipped``)."""
        causes = ", ".join(f"{n} {c.value}" for c, n in sorted(self.skipped_by.items()) if n)
        return f"{self.skipped} skipped" + (f": {causes}" if causes else "")


def turn_filters(flt: ExportFilter) -> list[Any]:
    """SQL conditions on ``conversation_turns`` for ``flt``."""
    out = _recorded_filters(flt, turns)
    if flt.policy:
        out.append(func.json_extract(turns.c.request, "$.policy") == flt.policy)
    return out


def message_filters(flt: ExportFilter) -> list[Any]:
    """SQL conditions on ``messages`` for ``flt``."""
    return _recorded_filters(flt, messages)


def _recorded_filters(flt: ExportFilter, table: Any) -> list[Any]:
    """Role, run and time conditions on a table of recorded rows (``agent_role``,
    ``run_id``, ``ts``)."""
    out: list[Any] = []
    if flt.role:
        out.append(table.c.agent_role == flt.role)
    if flt.run_id:
        out.append(table.c.run_id == flt.run_id)
    if flt.since:
        out.append(table.c.ts >= flt.since)
    return out
