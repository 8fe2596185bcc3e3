"""Bad input is terminated with a typed error event; the service keeps consuming."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from arena_core.bus import Bus
from arena_core.bus.testing import InMemoryBus
from arena_core.events import Envelope, encode
from arena_core.events.errors import InvalidMessage
from arena_core.settings import Settings
from tests.support.stream import wait_for
from tests.support.work import WorkCompleted, WorkRequested, WorkService

SUBJECT = "arena.test.work.requested"


def _valid() -> tuple[dict[str, Any], dict[str, str]]:
    envelope = Envelope.new(WorkRequested(n=1))
    _, body, headers = encode(envelope)
    return orjson.loads(body), headers


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data, _ = _valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    data, _ = _valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def _case_header_mismatch() -> tuple[bytes, dict[str, str]]:
    data, headers = _valid()
    headers["Arena-Type"] = "test.work.completed"
    return orjson.dumps(data), headers


def _case_msg_id_mismatch() -> tuple[bytes, dict[str, str]]:
    data, headers = _valid()
    headers["Nats-Msg-Id"] = "not-the-envelope-id"
    return orjson.dumps(data), headers


def _case_wrong_subject() -> tuple[bytes, dict[str, str]]:
    envelope = Envelope.new(WorkCompleted(n=1, worker="w", attempt=1))
    _, body, headers = encode(envelope)
    return body, headers


# (case name, raw body, headers, expected reason)
BAD_INPUTS: list[tuple[str, bytes, dict[str, str] | None, str]] = [
    ("not json", b"{this is not json", None, "not_json"),
    ("invalid utf-8", b"\xff\xfe\x00garbage", None, "not_json"),
    ("empty body", b"", None, "not_json"),
    ("json array", b"[1, 2, 3]", None, "not_an_object"),
    ("no type", orjson.dumps(_without(("type",))), None, "missing_type"),
    ("unknown type", orjson.dumps(_with(("type",), "no.such.event")), None, "unknown_type"),
    ("missing payload field", orjson.dumps(_without(("payload", "n"))), None, "schema_violation"),
    ("wrong field type", orjson.dumps(_with(("payload", "n"), "seven")), None, "schema_violation"),
    (
        "unknown payload field",
        orjson.dumps(_with(("payload", "extra"), 1)),
        None,
        "schema_violation",
    ),
    ("unknown envelope field", orjson.dumps(_with(("surprise",), True)), None, "schema_violation"),
    ("bad timestamp", orjson.dumps(_with(("ts",), "yesterday")), None, "schema_violation"),
    ("type on the wrong subject", *_case_wrong_subject(), "wrong_subject"),
    ("type header disagrees with body", *_case_header_mismatch(), "header_mismatch"),
    ("msg id header disagrees with body", *_case_msg_id_mismatch(), "header_mismatch"),
]


@pytest.mark.parametrize(
    ("case", "body", "headers", "reason"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
async def test_bad_input_is_terminated_with_the_right_error_event(
    memory_bus: InMemoryBus,
    memory_settings: Settings,
    case: str,
    body: bytes,
    headers: dict[str, str] | None,
    reason: str,
) -> None:
    async with WorkService(memory_bus, memory_settings).running() as service:
        await memory_bus.publish_raw(SUBJECT, body, headers)
        errors = memory_bus.of_type(InvalidMessage)
        # The service goes on with valid work after the bad message.
        reply = await memory_bus.request(
            Envelope.new(WorkRequested(n=2)), [WorkCompleted], timeout=10
        )
    _assert_rejected(errors, body, reason)
    assert reply.payload.n == 2
    assert service.health().rejected == 1


async def test_bad_input_on_a_real_server_is_terminated_and_the_service_goes_on(
    bus: Bus, settings: Settings
) -> None:
    _, body, headers, reason = next(c for c in BAD_INPUTS if c[0].startswith("msg id header"))
    async with WorkService(bus, settings).running() as service:
        await bus.publish_raw(SUBJECT, body, headers)
        errors = await wait_for(bus, "arena.error.invalid_message", 1, timeout=10)
        reply = await bus.request(Envelope.new(WorkRequested(n=2)), [WorkCompleted], timeout=10)
    _assert_rejected(errors, body, reason)
    assert reply.payload.n == 2
    assert service.health().rejected == 1


def _assert_rejected(errors: list[Envelope[Any]], body: bytes, reason: str) -> None:
    assert len(errors) == 1
    error = errors[0].payload
    assert error.reason == reason, error.detail
    assert error.subject == SUBJECT
    assert error.consumer == "testwork"
    assert error.raw_size == len(body)
    assert error.raw.startswith(body[:20].decode("utf-8", "backslashreplace"))


async def test_oversized_raw_bytes_are_quoted_with_a_cap(bus: Bus, settings: Settings) -> None:
    body = b"x" * 100_000
    async with WorkService(bus, settings).running():
        await bus.publish_raw(SUBJECT, body)
        (error,) = await wait_for(bus, "arena.error.invalid_message", 1, timeout=10)
    assert error.payload.raw_size == 100_000
    assert len(error.payload.raw) < 5000
    assert error.payload.raw.endswith("more bytes]")


async def test_input_the_handler_rejects_is_not_retried(bus: Bus, settings: Settings) -> None:
    async with WorkService(bus, settings).running():
        await bus.publish(Envelope.new(WorkRequested(n=-5)))
        (error,) = await wait_for(bus, "arena.error.invalid_message", 1, timeout=10)
        await bus.request(Envelope.new(WorkRequested(n=3)), [WorkCompleted], timeout=10)
    assert error.payload.reason == "negative_job"
    assert "got -5" in error.payload.detail


async def test_transient_failures_are_retried_with_backoff_until_success(
    bus: Bus, settings: Settings
) -> None:
    async with WorkService(bus, settings).running():
        reply = await bus.request(
            Envelope.new(WorkRequested(n=4, fail_times=2)), [WorkCompleted], timeout=20
        )
        failures = await wait_for(bus, "arena.error.handler_failed", 2, timeout=5)
    assert reply.payload.attempt == 3
    assert [f.payload.attempt for f in failures] == [1, 2]
    assert all(f.payload.retry_in_s is not None for f in failures)


async def test_a_message_failing_max_deliver_times_is_dead_lettered(
    bus: Bus, settings: Settings
) -> None:
    settings = settings.model_copy(update={"max_deliver": 3})
    async with WorkService(bus, settings).running():
        request = Envelope.new(WorkRequested(n=5, fail_times=99))
        await bus.publish(request)
        (dead,) = await wait_for(bus, "arena.error.dead_letter", 1, timeout=20)
        reply = await bus.request(Envelope.new(WorkRequested(n=6)), [WorkCompleted], timeout=10)
    assert reply.payload.n == 6
    assert dead.causation_id == request.id
    assert dead.payload.deliveries == 3
    assert dead.payload.event_id == request.id
    assert "transient failure on attempt 3" in (dead.payload.last_error or "")
