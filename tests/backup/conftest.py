from tests.recorder.recording import engine, recorder
from tests.support.s3 import s3

__all__ = ["engine", "recorder", "s3"]
