"""Fixtures shared with the recorder's tests: a migrated database and a running recorder."""

from tests.recorder.recording import engine, recorder  # noqa: F401
