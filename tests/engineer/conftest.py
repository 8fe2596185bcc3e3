"""One real team per test module: nats-server, simrunner, planner, engineer, critic.

Starting the engineer's sandbox imports build123d (~7 s), so a module shares one stack;
each test solves its own benchmark under its own key and run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from nats.aio.msg import Msg

from arena_core.bus import Bus, EmbeddedNats
from arena_core.cad import CadResult
from arena_core.events import Envelope, decode
from arena_core.settings import Settings
from arena_core.stack import services_in_process
from engineer.solving import TEAM
from tests.engineer.workbench.cad_parts import build_test_parts


@dataclass
class Team:
    """A running team and every event it published, by run."""

    bus: Bus
    settings: Settings
    events: list[Envelope[Any]] = field(default_factory=list)

    def of_run(self, run_id: str) -> list[Envelope[Any]]:
        return [e for e in self.events if e.run_id == run_id]


@pytest.fixture(scope="module")
def team_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("team")
    with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
        yield Settings(
            nats_url=server.url,
            home=root / ".arena",
            workspace=root / "workspace",
            ack_wait_s=10,
            nak_backoff_s=(0.1, 0.2, 0.4),
            fetch_wait_s=0.2,
        )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def team(team_settings: Settings) -> AsyncIterator[Team]:
    async with services_in_process(team_settings, TEAM) as bus:
        running = Team(bus, team_settings)

        async def keep(msg: Msg) -> None:
            running.events.append(decode(msg.subject, msg.data, msg.headers))

        await bus.nc.subscribe("arena.>", cb=keep)
        yield running


@pytest.fixture(scope="session")
def cad_parts(tmp_path_factory: pytest.TempPathFactory) -> CadResult:
    """The test parts of ``workbench/cad_parts.CAD_SCRIPT``, measured and meshed by the
    sandbox once per session (the workbench and preview tests judge and draw them)."""
    return build_test_parts(tmp_path_factory.mktemp("cad-parts"))
