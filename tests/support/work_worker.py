"""Run WorkService as its own process: ``python -m tests.support.work_worker``."""

import asyncio

from arena_core.container import container_for
from arena_core.logging import configure
from arena_core.settings import Settings
from tests.support.work import WorkService

if __name__ == "__main__":
    configure(level="WARNING")
    service = WorkService.from_container(container_for(Settings()))
    asyncio.run(service.run())
