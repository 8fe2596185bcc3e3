"""Fixtures of the simrunner tests: the recorder and its database, for commands that ask
the recording."""

from tests.recorder.recording import engine, recorder  # noqa: F401
