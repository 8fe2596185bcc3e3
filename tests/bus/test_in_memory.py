"""The in-memory bus settles messages like the real one, without a server."""

from __future__ import annotations

import orjson
import pytest

from arena_core.bus import RequestFailed, RequestTimeout
from arena_core.bus.testing import InMemoryBus
from arena_core.events import Envelope
from arena_core.events.errors import DeadLetter, HandlerFailed, InvalidMessage
from arena_core.events.system import ServiceStarted, ServiceStopped
from arena_core.service import HEALTH_SUBJECT, ServiceHealth
from arena_core.settings import Settings
from tests.support.work import WorkCompleted, WorkRequested, WorkService


@pytest.fixture
def memory_settings(memory_settings: Settings) -> Settings:
    return memory_settings.model_copy(update={"max_deliver": 3, "nak_backoff_s": (5.0,)})


async def test_a_publish_is_handled_before_it_returns(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        job = Envelope.new(WorkRequested(n=4))
        await bus.publish(job)
        done = bus.of_type(WorkCompleted)
    assert [d.payload.n for d in done] == [4]
    assert done[0].causation_id == job.id
    assert done[0].correlation_id == job.correlation_id


async def test_request_returns_the_reply_caused_by_the_request(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        request = Envelope.new(WorkRequested(n=7))
        reply = await bus.request(request, [WorkCompleted], timeout=10)
    assert reply.causation_id == request.id
    assert reply.payload.n == 7


async def test_a_request_nobody_answers_times_out() -> None:
    bus = InMemoryBus()
    await bus.connect()
    with pytest.raises(RequestTimeout, match=r"within 0\.01s"):
        await bus.request(Envelope.new(WorkRequested(n=1)), [WorkCompleted], timeout=0.01)


async def test_a_rejected_request_raises_request_failed(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        with pytest.raises(RequestFailed) as failed:
            await bus.request(Envelope.new(WorkRequested(n=-1)), [WorkCompleted], timeout=10)
    assert failed.value.reply.payload.reason == "negative_job"


async def test_a_failing_handler_is_retried_without_waiting_for_the_backoff(
    memory_settings: Settings,
) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        await bus.publish(Envelope.new(WorkRequested(n=1, fail_times=2)))
    failures = bus.of_type(HandlerFailed)
    assert [f.payload.attempt for f in failures] == [1, 2]
    assert failures[0].payload.retry_in_s == 5.0
    assert [d.payload.attempt for d in bus.of_type(WorkCompleted)] == [3]


async def test_a_handler_failing_max_deliver_times_is_dead_lettered(
    memory_settings: Settings,
) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running() as service:
        job = Envelope.new(WorkRequested(n=1, fail_times=99))
        await bus.publish(job)
        assert service.health().dead_lettered == 1
    (dead,) = bus.of_type(DeadLetter)
    assert dead.causation_id == job.id
    assert dead.payload.deliveries == 3
    assert not bus.of_type(WorkCompleted)


async def test_bad_bytes_get_an_invalid_message_event(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        await bus.publish_raw("arena.test.work.requested", b"{not json", {"Nats-Msg-Id": "x1"})
    (invalid,) = bus.of_type(InvalidMessage)
    assert invalid.payload.reason == "not_json"
    assert invalid.payload.consumer == "testwork"


async def test_a_duplicate_message_id_is_stored_and_handled_once(
    memory_settings: Settings,
) -> None:
    bus = InMemoryBus()
    async with WorkService(bus, memory_settings).running():
        job = Envelope.new(WorkRequested(n=2))
        first = await bus.publish(job)
        again = await bus.publish(job)
    assert first == again
    assert len(bus.of_type(WorkCompleted)) == 1


async def test_a_service_started_later_gets_the_backlog(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    await bus.connect()
    await bus.publish(Envelope.new(WorkRequested(n=5)))
    async with WorkService(bus, memory_settings).running():
        pass  # stopping drains what the consumer fetched first: the backlog
    assert [d.payload.n for d in bus.of_type(WorkCompleted)] == [5]


async def test_lifecycle_events_and_health_work_in_memory(memory_settings: Settings) -> None:
    bus = InMemoryBus()
    await bus.connect()
    async with WorkService(bus, memory_settings).running() as service:
        answer = await bus.ask(HEALTH_SUBJECT)
        assert answer is not None
        health = ServiceHealth.model_validate(orjson.loads(answer))
        assert (health.service, health.status) == ("testwork", "running")
        await bus.publish(Envelope.new(WorkRequested(n=1)))
    assert service.status == "stopped"
    assert [e.payload.service for e in bus.of_type(ServiceStarted)] == ["testwork"]
    (stopped,) = bus.of_type(ServiceStopped)
    assert stopped.payload.handled == 1
    assert bus.connected, "a connection the test opened stays open"
