"""The HTTP API: a FastAPI gateway that puts jobs on the bus and reads the recording."""

from arena_core.api.app import create_app, openapi_for

__all__ = ["create_app", "openapi_for"]
