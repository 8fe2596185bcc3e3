"""What a projection is: the events it folds, the tables it owns, how it folds them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, Table

from arena_core.events import Envelope, Payload


class RecordedMessage(Protocol):
    """What the projections read of a ``messages`` row (a table row or a fresh one)."""

    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str | None: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def ts(self) -> datetime | None: ...
    @property
    def stream_ts(self) -> datetime | None: ...
    @property
    def valid(self) -> bool: ...


class Projection(ABC):
    """Tables derived from the log, folded one event at a time.

    One instance lives for one transaction (a recorder batch, or a whole rebuild): it
    may gather rows in memory in ``apply`` and write them in ``flush``.
    """

    name: ClassVar[str]
    """Short name (used in messages and tests)."""
    events: ClassVar[tuple[type[Payload], ...]] = ()
    """Payload types ``apply`` receives (their subclasses too)."""
    tables: ClassVar[tuple[Table, ...]] = ()
    """Tables it alone writes; ``rebuild`` empties them before folding the log again."""
    every_message: ClassVar[bool] = False
    """Also call ``see`` with every recorded row, decoded or not."""

    def __init__(self, conn: Connection, workspace: Path | None) -> None:
        self.conn = conn
        self.workspace = workspace
        """Where completed artifacts are mirrored (``<workspace>/<run_id>/<name>``)."""

    def see(self, seq: int, row: RecordedMessage) -> None:  # noqa: B027 - optional hook
        """Note one recorded row (only when ``every_message``), before its event."""

    @abstractmethod
    def apply(self, seq: int, env: Envelope[Any]) -> None:
        """Fold one event whose payload is one of ``events``."""

    def flush(self) -> None:  # noqa: B027 - most projections write as they go
        """Write what ``apply`` gathered; called before the transaction commits."""


def add(a: float, b: float) -> float:
    """``a + b`` rounded to 1e-9, so sums do not depend on how they were grouped."""
    return (round(a * 1e9) + round(b * 1e9)) / 1e9
