"""A full disk pauses the recorder; it resumes by itself when space returns."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from arena_core.bus import Bus
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.events import Envelope
from arena_core.recorder import RecorderService
from arena_core.recorder.service import DISK_FULL
from arena_core.settings import Settings
from tests.recorder.recording import SampleNote, recorded_count, settle

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (needs root)")

DEADLINE_S = 60.0
"""Every wait of these tests ends by then, whatever the machine's load."""


class SmallDisk:
    """A real 16 MiB filesystem that ``fill()`` leaves 256 KiB of room on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self) -> None:
        stat = os.statvfs(self.path)
        self.filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 256 * 1024))

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], check=True, timeout=30
    )
    try:
        yield SmallDisk(disk)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, timeout=30)


def recorder_on(settings: Settings, engine: Engine) -> RecorderService:
    return RecorderService(make_bus(settings, name="recorder"), settings)


async def until_disk_full(recorder: RecorderService) -> str:
    """The recorder's status once it reports the full disk, or at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while loop.time() < end:
        if recorder.health().status == DISK_FULL:
            break
        await asyncio.sleep(0.05)
    return recorder.health().status


def notes(n: int) -> list[Envelope[SampleNote]]:
    return [Envelope.new(SampleNote(text="x" * 4000), run_id="full") for _ in range(n)]


async def test_a_full_disk_pauses_recording_until_space_returns(
    bus: Bus, settings: Settings, small_disk: SmallDisk
) -> None:
    settings = settings.model_copy(update={"home": small_disk.path})
    engine = open_database(settings.database_path)
    small_disk.fill()
    recorder = recorder_on(settings, engine)
    await asyncio.wait_for(recorder.start(), DEADLINE_S)
    try:
        await asyncio.wait_for(bus.publish_many(notes(200)), DEADLINE_S)
        paused = await until_disk_full(recorder)

        small_disk.free()
        last = await settle(bus, engine, within_s=DEADLINE_S)
        resumed = recorder.health().status
    finally:
        small_disk.free()  # a test that failed above must not leave the recorder paused
        await asyncio.wait_for(recorder.stop(), DEADLINE_S)

    assert paused == DISK_FULL
    assert resumed == "running"
    assert recorded_count(engine) == last


async def test_a_recorder_stopped_on_a_full_disk_stops_and_its_successor_records_the_rest(
    bus: Bus, settings: Settings, small_disk: SmallDisk
) -> None:
    settings = settings.model_copy(update={"home": small_disk.path})
    engine = open_database(settings.database_path)
    small_disk.fill()
    recorder = recorder_on(settings, engine)
    await asyncio.wait_for(recorder.start(), DEADLINE_S)
    try:
        await asyncio.wait_for(bus.publish_many(notes(200)), DEADLINE_S)
        paused = await until_disk_full(recorder)
    finally:
        await asyncio.wait_for(recorder.stop(), DEADLINE_S)  # returns though the disk is full
    recorded_while_full = recorded_count(engine)

    small_disk.free()
    successor = recorder_on(settings, engine)
    await asyncio.wait_for(successor.start(), DEADLINE_S)
    try:
        last = await settle(bus, engine, within_s=DEADLINE_S)
    finally:
        await asyncio.wait_for(successor.stop(), DEADLINE_S)

    assert paused == DISK_FULL
    assert recorded_while_full < last
    assert recorded_count(engine) == last
