"""A full disk pauses the recorder; it resumes by itself when space returns."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.events import Envelope
from arena_core.recorder import RecorderService
from arena_core.recorder.service import DISK_FULL
from arena_core.settings import Settings
from tests.recorder.recording import SampleNote, recorded_count, settle

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (needs root)")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB filesystem."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


async def test_a_full_disk_pauses_recording_until_space_returns(
    bus: Bus, settings: Settings, small_disk: Path
) -> None:
    settings = settings.model_copy(update={"home": small_disk})
    engine = open_database(settings.database_path)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - 256 * 1024))
    recorder = RecorderService(make_bus(settings, name="recorder"), settings, engine=engine)
    await recorder.start()
    try:
        notes = [Envelope.new(SampleNote(text="x" * 4000), run_id="full") for _ in range(200)]
        await bus.publish_many(notes)
        for _ in range(600):
            if recorder.health().status == DISK_FULL:
                break
            await asyncio.sleep(0.05)
        paused = recorder.health().status

        filler.unlink()
        last = await settle(bus, engine, within_s=60)
        resumed = recorder.health().status
    finally:
        await recorder.stop()

    assert paused == DISK_FULL
    assert resumed == "running"
    assert recorded_count(engine) == last
