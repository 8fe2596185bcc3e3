"""Services an ``arena optimize`` command needs, started in this process when no running
stack provides them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from arena_core.bus import Bus
from arena_core.settings import Settings

NEEDED = ("recorder", "simrunner", "planner", "engineer", "critic", "optimizer")
"""What an optimize job runs on: the recording, the team and the optimizer."""


async def missing_services(nats_url: str) -> list[str]:
    from arena_core.stack import probe_health

    running = {h.service for h in await probe_health(nats_url, wait_s=0.5) if h.status == "running"}
    return [s for s in NEEDED if s not in running]


@contextlib.asynccontextmanager
async def services_in_process(settings: Settings, names: Sequence[str]) -> AsyncIterator[Bus]:
    """Run ``names`` inside this process on one connection; yield the bus."""
    from arena_core.container import container_for
    from arena_core.stack import load_service

    container = container_for(settings)
    bus = container.bus()
    await bus.connect()
    started = []
    try:
        for name in names:
            service = load_service(name).from_container(container)
            await service.start()
            started.append(service)
        yield bus
    finally:
        for service in reversed(started):
            await service.stop()
        await bus.close()
