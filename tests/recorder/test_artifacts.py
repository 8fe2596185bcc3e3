"""Artifacts travel in chunks, are stored by hash and mirrored in the run's workspace."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.bus.artifacts import publish_artifact
from arena_core.db.artifacts import ArtifactNotFound, ArtifactStore
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from tests.recorder.recording import settle


async def test_artifact_larger_than_max_payload_is_reassembled_and_mirrored(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings
) -> None:
    data = os.urandom(2_500_000)  # beyond the server's 1 MB max_payload
    ref = await publish_artifact(
        bus, data, run_id="run-art", name="meshes/part.stl", media_type="model/stl"
    )
    await settle(bus, engine)
    store = ArtifactStore(engine)
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert store.get(ref.sha256) == data
    assert (settings.workspace / "run-art" / "meshes" / "part.stl").read_bytes() == data
    assert store.files("run-art") == [("meshes/part.stl", ref.sha256)]


async def test_unknown_artifact_hash_is_a_typed_error(engine: Engine) -> None:
    with pytest.raises(ArtifactNotFound):
        ArtifactStore(engine).get("0" * 64)


async def test_artifact_name_that_escapes_the_workspace_is_not_mirrored(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings
) -> None:
    ref = await publish_artifact(
        bus, b"x = 1\n", run_id="run-esc", name="../../evil.py", media_type="text/x-python"
    )
    await settle(bus, engine)
    assert ArtifactStore(engine).get(ref.sha256) == b"x = 1\n"
    assert not (settings.workspace.parent / "evil.py").exists()
