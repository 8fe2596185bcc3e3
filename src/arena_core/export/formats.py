"""The dataset formats of ``arena export``: one module per format behind this registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from arena_core.export import (
    anthropic,
    conversations,
    events,
    grpo,
    openai,
    otel,
    preferences,
    trl,
)
from arena_core.export.filters import ExportFilter, ExportSummary, Progress


class ExportFormat(StrEnum):
    """Dataset formats of ``arena export``."""

    sft_openai = "sft-openai"
    sft_trl = "sft-trl"
    sft_anthropic = "sft-anthropic"
    grpo = "grpo"
    preferences = "preferences"
    events = "events"
    otel = "otel"


Rows = Callable[[Engine, ExportFilter, ExportSummary, Progress], Iterator[dict[str, Any]]]
"""Writes a format's rows, counting what it leaves out in the summary."""

Count = Callable[[Engine, ExportFilter], int]
"""How many units (conversations, reviews, events) a format looks at (for progress)."""


@dataclass(frozen=True)
class Format:
    """One dataset format."""

    rows: Rows
    """Its rows."""
    count: Count
    """Units it looks at."""


def _sft(shape: Callable[[conversations.Rollout], dict[str, Any]]) -> Format:
    def rows(
        engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
    ) -> Iterator[dict[str, Any]]:
        for rollout in conversations.rollouts(engine, flt, summary, progress):
            yield shape(rollout)

    return Format(rows=rows, count=conversations.count)


FORMATS: dict[ExportFormat, Format] = {
    ExportFormat.sft_openai: Format(rows=openai.rows, count=conversations.count),
    ExportFormat.sft_trl: _sft(trl.row),
    ExportFormat.sft_anthropic: _sft(anthropic.row),
    ExportFormat.grpo: Format(rows=grpo.rows, count=conversations.count),
    ExportFormat.preferences: Format(rows=preferences.rows, count=preferences.count),
    ExportFormat.events: Format(rows=events.rows, count=events.count),
    ExportFormat.otel: Format(rows=otel.rows, count=conversations.count),
}
"""Every format, by name."""

SFT_FORMATS = frozenset({ExportFormat.sft_openai, ExportFormat.sft_trl, ExportFormat.sft_anthropic})
"""Formats of one row per whole conversation."""
