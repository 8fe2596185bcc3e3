"""Projections: tables derived from the message log, folded by the recorder alone.

Each projection lives in its own module as a ``Projection`` subclass that names the
payload types it folds (``events``), the tables it owns (``tables``) and how it folds
one event (``apply(seq, envelope)``, optionally gathering rows for ``flush``). The
``Projector`` hands every recorded message to the registered projections in a fixed
order inside the recorder's transaction; ``rebuild`` empties the owned tables and
folds the whole log again through the same code, so both give the same rows.

To add a projection:

1. Declare its table(s) (a SQLModel class) and an Alembic migration that creates them.
2. Write ``projections/<name>.py`` with a ``Projection`` subclass: ``name``,
   ``events``, ``tables``, ``apply``. It must derive its rows from the events alone,
   in log order, and write nothing another projection owns; a row an event creates is
   written with ``insert_once`` (``db/once.py``), so folding the event again changes
   nothing.
3. Register it: one line in ``PROJECTIONS`` (``registry.py``).

``arena db rebuild`` then fills it from the existing log.
"""

from arena_core.db.projections.artifacts import mirror
from arena_core.db.projections.base import Projection, RecordedMessage
from arena_core.db.projections.conversations import FAILED_STOP_PREFIX
from arena_core.db.projections.jobs import FINAL_JOB_STATES, JobState, job_state
from arena_core.db.projections.projector import (
    CURSOR,
    Projector,
    as_recorded,
    decode_row,
    rebuild,
)
from arena_core.db.projections.registry import PROJECTIONS, Projections
from arena_core.db.projections.runs import RunStatus, run_status

__all__ = [
    "CURSOR",
    "FAILED_STOP_PREFIX",
    "FINAL_JOB_STATES",
    "PROJECTIONS",
    "JobState",
    "Projection",
    "Projections",
    "Projector",
    "RecordedMessage",
    "RunStatus",
    "as_recorded",
    "decode_row",
    "job_state",
    "mirror",
    "rebuild",
    "run_status",
]
