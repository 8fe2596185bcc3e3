"""Artifacts: files (CAD code, meshes, MJCF, renders, plans) referenced by hash.

An event carries an ``ArtifactRef`` instead of the bytes once a file is larger than
``Settings.artifact_inline_max_bytes``. The bytes travel once, as ``artifact.stored``
events cut into chunks that fit the server's ``max_payload`` (1 MB by default); the
recorder reassembles them into the content-addressed store.
"""

from __future__ import annotations

from pydantic import Field

from arena_core.events.envelope import Payload
from arena_core.events.record import Record
from arena_core.events.registry import event

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class ArtifactRef(Record):
    """A stored file, by content hash; any event field may hold one."""

    sha256: str = Field(pattern=SHA256_PATTERN)
    """Hex sha256 of the bytes (the storage key)."""
    size: int = Field(ge=0)
    """Size in bytes."""
    media_type: str = Field(min_length=1, max_length=128)
    """MIME type, e.g. ``text/x-python``, ``model/stl``, ``application/xml``."""
    name: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\][^\\]*$")
    """File name inside the run's workspace, e.g. ``cad/gripper.py`` (relative)."""


@event("artifact.stored")
class ArtifactStored(Payload):
    """One chunk of an artifact's bytes, on its way to the recorder's store."""

    ref: ArtifactRef
    """The artifact this chunk belongs to."""
    chunk_index: int = Field(ge=0)
    """Position of the chunk (0-based)."""
    chunk_count: int = Field(ge=1)
    """How many chunks the artifact was cut into."""
    data_b64: str
    """The chunk's bytes, base64."""
