"""The recorder: every bus message in SQLite, in order; artifacts by content hash."""

from arena_core.recorder.artifacts import ArtifactStore, ArtifactTooLarge, publish_artifact
from arena_core.recorder.service import RecorderAlreadyRunning, RecorderService
from arena_core.recorder.writer import LogWriter

__all__ = [
    "ArtifactStore",
    "ArtifactTooLarge",
    "LogWriter",
    "RecorderAlreadyRunning",
    "RecorderService",
    "publish_artifact",
]
