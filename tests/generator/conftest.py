"""One stack for the package: a real nats-server, the simrunner, the generator, the recorder.

Starting the sandbox's warm servers imports build123d (~4 s), so every module shares them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from dependency_injector import providers

from arena_core.bus import Bus, EmbeddedNats
from arena_core.container import container_for, make_bus
from arena_core.recorder import RecorderService
from arena_core.sandbox import Sandbox
from arena_core.settings import Settings
from generator.service import GeneratorService
from simrunner.service import SimRunnerService


@dataclass
class Stack:
    settings: Settings
    bus: Bus
    sandbox: Sandbox
    recorder: RecorderService


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    root: Path = tmp_path_factory.mktemp("generator")
    with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
        settings = Settings(
            nats_url=server.url,
            home=root / ".arena",
            workspace=root / "workspace",
            ack_wait_s=10,
            nak_backoff_s=(0.1, 0.2, 0.4),
            fetch_wait_s=0.2,
            request_timeout_s=60,
        )
        bus = make_bus(settings, name="test")
        await bus.connect()
        sandbox = Sandbox(root=root / "sandbox", pool_size=2)
        await sandbox.start()
        recorder = RecorderService(bus, settings)
        simrunner = SimRunnerService(bus, settings)
        container = container_for(settings, bus=bus)
        container.sandbox.override(providers.Object(sandbox))
        generator = GeneratorService.from_container(container)
        try:
            async with recorder.running(), simrunner.running(), generator.running():
                yield Stack(settings, bus, sandbox, recorder)
        finally:
            await sandbox.close()
            await bus.close()
