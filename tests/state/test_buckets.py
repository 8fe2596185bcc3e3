"""Reading a shared-state bucket whole, on a real nats-server."""

from __future__ import annotations

from typing import Any

import pytest
from nats.js.kv import KeyValue

from arena_core.bus import Bus
from arena_core.state.buckets import SKILLS, ensure_bucket, live_values


async def test_live_values_are_the_keys_that_hold_a_value(bus: Bus) -> None:
    assert await live_values(bus.js, SKILLS) == {}  # no bucket yet
    kv = await ensure_bucket(bus.js, SKILLS)
    assert await live_values(bus.js, SKILLS) == {}
    await kv.put("engineer.ramp", b"1")
    await kv.put("engineer.ramp", b"2")
    await kv.put("engineer.plank", b"3")
    await kv.put("planner.split", b"4")
    await kv.delete("engineer.plank")
    assert await live_values(bus.js, SKILLS) == {"engineer.ramp": b"2", "planner.split": b"4"}
    assert await live_values(bus.js, SKILLS, "engineer.>") == {"engineer.ramp": b"2"}
    assert await live_values(bus.js, SKILLS, "critic.>") == {}


class EarlyEnd:
    """A watcher whose "all delivered" marker comes before the values, as nats-py's does
    when its consumer has pushed every value but its callback has not yet run."""

    def __init__(self, watcher: Any) -> None:
        self.watcher = watcher
        self.first = True

    async def updates(self, timeout: float) -> Any:
        if self.first:
            self.first = False
            return None
        return await self.watcher.updates(timeout=timeout)

    async def stop(self) -> None:
        await self.watcher.stop()


async def test_an_end_marker_before_the_values_does_not_empty_the_bucket(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    kv = await ensure_bucket(bus.js, SKILLS)
    await kv.put("engineer.ramp", b"1")
    await kv.put("engineer.funnel", b"2")
    watch = KeyValue.watch

    async def early(self: KeyValue, keys: str, **kwargs: Any) -> EarlyEnd:
        return EarlyEnd(await watch(self, keys, **kwargs))

    monkeypatch.setattr(KeyValue, "watch", early)
    assert await live_values(bus.js, SKILLS) == {"engineer.ramp": b"1", "engineer.funnel": b"2"}
