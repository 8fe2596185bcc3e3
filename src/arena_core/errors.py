"""The root of every error Arena raises on purpose.

Each package defines its errors beside the concept they belong to (``bus``, ``llm``,
``sandbox``, ...), all below :class:`ArenaError`, so a caller can catch "anything Arena
refused" in one clause and still catch a narrower class (or the built-in base an error
also keeps, e.g. ``LookupError``) where it knows what went wrong.
"""

from __future__ import annotations


class ArenaError(Exception):
    """Base class of every typed error in Arena."""
