"""The one stream, ``ARENA`` on ``arena.>``, created or updated idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig, StreamInfo
from nats.js.errors import NotFoundError

from arena_core.errors import ArenaError
from arena_core.events import SUBJECT_PREFIX


class StreamConflict(ArenaError, RuntimeError):
    """The existing stream's configuration cannot be changed into the one we need."""


@dataclass(frozen=True)
class StreamSpec:
    """What the ``ARENA`` stream must look like."""

    name: str = "ARENA"
    max_age_s: float = 30 * 24 * 3600
    replicas: int = 1
    duplicate_window_s: float = 120.0

    def config(self) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=[f"{SUBJECT_PREFIX}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=self.max_age_s,
            num_replicas=self.replicas,
            duplicate_window=self.duplicate_window_s,
            allow_direct=True,
        )


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> StreamInfo:
    """Create the stream, or update it when a mutable setting changed.

    Storage and retention cannot change on a live stream: that is refused with a
    ``StreamConflict`` saying what differs, rather than silently running on the old one.
    """
    wanted = spec.config()
    try:
        info = await js.stream_info(spec.name)
    except NotFoundError:
        return await js.add_stream(wanted)
    have = info.config
    immutable = []
    if have.storage != wanted.storage:
        immutable.append(f"storage {have.storage} -> {wanted.storage}")
    if have.retention != wanted.retention:
        immutable.append(f"retention {have.retention} -> {wanted.retention}")
    if immutable:
        raise StreamConflict(
            f"stream {spec.name} exists with an incompatible configuration ("
            + "; ".join(immutable)
            + "); delete it or point ARENA_STREAM_NAME at another stream"
        )
    changed = (
        sorted(have.subjects or []) != sorted(wanted.subjects or [])
        or not _close(have.max_age, wanted.max_age)
        or (have.num_replicas or 1) != wanted.num_replicas
        or not _close(have.duplicate_window, wanted.duplicate_window)
        or bool(have.allow_direct) != bool(wanted.allow_direct)
    )
    if changed:
        return await js.update_stream(wanted)
    return info


def _close(a: float | None, b: float | None) -> bool:
    return abs((a or 0.0) - (b or 0.0)) < 1e-3
