"""A NATS restart (JetStream state kept on disk) loses no work and stalls no request."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from arena_core.bus import Bus, EmbeddedNats
from arena_core.events import Envelope
from arena_core.processes import free_port, terminate
from arena_core.settings import Settings
from tests.bus.test_workers import start_worker
from tests.support.stream import stored, wait_for
from tests.support.work import WorkCompleted, WorkRequested

DEADLINE_S = 60.0
"""Every wait below ends by then; a request stalled by the restart would exceed it."""


class Restartable:
    """One nats-server on a fixed port whose store survives ``restart()``."""

    def __init__(self, tmp_path: Path) -> None:
        self.store, self.port = tmp_path / "nats", free_port("127.0.0.1")
        self.log = tmp_path / "nats.log"
        self.server = self._new().start()

    def _new(self) -> EmbeddedNats:
        return EmbeddedNats(self.store, port=self.port, log_file=self.log)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = self._new().start()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[Restartable]:
    server = Restartable(tmp_path)
    try:
        yield server
    finally:
        server.stop()


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while not await condition():
        if loop.time() > end:
            raise TimeoutError(f"{what} within {DEADLINE_S:g} s")
        await asyncio.sleep(0.05)


async def test_an_answer_sent_while_the_requester_was_disconnected_still_reaches_it(
    nats: Restartable,
) -> None:
    requester = await Bus(nats.url, name="requester").connect()
    request = Envelope.new(WorkRequested(n=1))
    asking = asyncio.create_task(requester.request(request, [WorkCompleted], timeout=DEADLINE_S))
    try:

        async def stored_request() -> bool:
            return (await requester.js.stream_info(requester.stream.name)).state.messages > 0

        await until(stored_request, "the request was stored")
        # Keep the requester away long enough for the answer to be published without it.
        requester.nc.options["reconnect_time_wait"] = 5.0
        nats.restart()
        async with Bus(nats.url, name="answerer") as answerer:
            answer = request.follow(WorkCompleted(n=1, worker="w", attempt=1))
            await answerer.publish(answer)
            assert not requester.connected, "the answer must be sent while the requester is away"

            reply = await asyncio.wait_for(asking, DEADLINE_S)
    finally:
        asking.cancel()
        await requester.close()

    assert reply.id == answer.id


async def test_work_in_flight_across_a_nats_restart_is_answered_once(
    nats: Restartable, tmp_path: Path
) -> None:
    settings = Settings(nats_url=nats.url, home=tmp_path / ".arena")
    requester = await Bus(nats.url, name="requester").connect()
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        markers = tmp_path / "markers"
        markers.mkdir()
        jobs = [
            Envelope.new(WorkRequested(n=n, sleep_s=3.0, marker_dir=str(markers))) for n in range(4)
        ]
        asking = [
            asyncio.create_task(requester.request(job, [WorkCompleted], timeout=DEADLINE_S))
            for job in jobs
        ]

        async def all_started() -> bool:
            return len(list(markers.glob("*.started"))) >= 4

        await until(all_started, "every job started")
        nats.stop()
        await asyncio.sleep(4.0)  # the handlers finish their work while NATS is down
        nats.start()

        replies = await asyncio.wait_for(asyncio.gather(*asking), DEADLINE_S)
        completed = await wait_for(requester, "arena.test.work.completed", 4, timeout=10)
        requests = await stored(requester, "arena.test.work.requested")
    finally:
        terminate(worker)
        await requester.close()

    assert sorted(r.payload.n for r in replies) == [0, 1, 2, 3]
    assert Counter(e.payload.n for e in completed) == {0: 1, 1: 1, 2: 1, 3: 1}
    assert len(requests) == 4  # the stream kept what was stored before the restart
