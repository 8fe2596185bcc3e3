from tests.recorder.recording import engine, recorder

__all__ = ["engine", "recorder"]
