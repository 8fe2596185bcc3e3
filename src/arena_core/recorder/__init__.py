"""The recorder: every bus message in SQLite, in order, folded into the projections."""

from arena_core.recorder.service import RecorderAlreadyRunning, RecorderService
from arena_core.recorder.writer import LogWriter

__all__ = [
    "LogWriter",
    "RecorderAlreadyRunning",
    "RecorderService",
]
