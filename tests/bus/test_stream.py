"""The ARENA stream is ensured idempotently, updated when settings change, guarded."""

from __future__ import annotations

import pytest
from nats.js.api import RetentionPolicy, StorageType, StreamConfig

from arena_core.bus import Bus, StreamConflict, StreamSpec, ensure_stream


async def test_ensuring_twice_keeps_one_stream_and_its_messages(bus: Bus) -> None:
    await bus.publish_raw("arena.some.thing", b"{}")
    await ensure_stream(bus.js, bus.stream)
    info = await ensure_stream(bus.js, bus.stream)
    assert info.state.messages == 1
    assert info.config.subjects == ["arena.>"]
    assert info.config.storage == StorageType.FILE


async def test_a_changed_setting_updates_the_stream_in_place(bus: Bus) -> None:
    await bus.publish_raw("arena.some.thing", b"{}")
    changed = StreamSpec(name=bus.stream.name, max_age_s=3600, duplicate_window_s=30)
    info = await ensure_stream(bus.js, changed)
    assert info.config.max_age == pytest.approx(3600)
    assert info.config.duplicate_window == pytest.approx(30)
    assert info.state.messages == 1


async def test_an_incompatible_existing_stream_is_refused_with_what_differs(bus: Bus) -> None:
    await bus.js.add_stream(
        StreamConfig(
            name="OTHER",
            subjects=["other.>"],
            storage=StorageType.MEMORY,
            retention=RetentionPolicy.WORK_QUEUE,
        )
    )
    with pytest.raises(StreamConflict, match=r"storage.*retention"):
        await ensure_stream(bus.js, StreamSpec(name="OTHER"))
