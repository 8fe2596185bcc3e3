"""Artifacts on the bus: bytes sent as ``artifact.stored`` chunks, referred to by hash.

Producers anywhere call ``publish_artifact``: the chunks are sized to the server's
``max_payload`` (1 MB unless the server raises it); the recorder assembles them into
its content-addressed store and mirrors them under ``workspace/<run_id>/``. Events then
carry the returned ``ArtifactRef``, not the bytes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from arena_core.bus.bus import Bus
from arena_core.errors import ArenaError
from arena_core.events import AgentRef, Envelope
from arena_core.events.artifacts import ArtifactRef, ArtifactStored

ENVELOPE_ALLOWANCE = 4096
"""Bytes of a chunk message reserved for the envelope around the base64 data."""


class ArtifactTooLarge(ArenaError, ValueError):
    """An artifact exceeds the configured maximum size."""


def make_ref(data: bytes, *, name: str, media_type: str) -> ArtifactRef:
    """The reference of ``data`` under ``name``."""
    return ArtifactRef(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type=media_type, name=name
    )


def chunk_size(max_payload: int) -> int:
    """Raw bytes per chunk so that base64 plus the envelope fits in ``max_payload``."""
    usable = (max_payload - ENVELOPE_ALLOWANCE) * 3 // 4
    if usable < 3:
        raise ValueError(f"max_payload {max_payload} is too small for artifact chunks")
    return usable - usable % 3


async def publish_artifact(
    bus: Bus,
    data: bytes,
    *,
    run_id: str,
    name: str,
    media_type: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    agent: AgentRef | None = None,
    max_bytes: int = 256 * 1024 * 1024,
) -> ArtifactRef:
    """Send ``data`` to the recorder's store; return the reference events should carry."""
    if len(data) > max_bytes:
        raise ArtifactTooLarge(f"{name}: {len(data)} bytes > {max_bytes}")
    ref = make_ref(data, name=name, media_type=media_type)
    size = chunk_size(bus.nc.max_payload)
    count = max(1, -(-len(data) // size))
    envelopes: list[Envelope[Any]] = []
    for index in range(count):
        piece = data[index * size : (index + 1) * size]
        envelopes.append(
            Envelope.new(
                ArtifactStored(
                    ref=ref, chunk_index=index, chunk_count=count,
                    data_b64=base64.b64encode(piece).decode(),
                ),
                run_id=run_id, correlation_id=correlation_id, causation_id=causation_id,
                agent=agent,
            )
        )  # fmt: skip
    await bus.publish_many(envelopes)
    return ref
