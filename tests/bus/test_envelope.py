"""Envelopes survive the wire for every registered event type (property-based)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arena_core.events import (
    DecodeError,
    Envelope,
    InvalidReason,
    decode,
    derived_id,
    encode,
    registry,
)
from arena_core.ids import bounded, new_id
from tests.support.strategies import for_model


def payload_strategy(event_type: str) -> st.SearchStrategy[Any]:
    return for_model(registry.model(event_type))


EVENT_TYPES = list(registry)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_every_event_type_round_trips_through_the_wire(
    event_type: str, data: st.DataObject
) -> None:
    payload = data.draw(payload_strategy(event_type))
    envelope = Envelope.new(payload, run_id=new_id())
    subject, body, headers = encode(envelope)

    assert subject == f"arena.{event_type}"
    assert headers["Nats-Msg-Id"] == envelope.id
    assert headers["Arena-Type"] == event_type
    assert headers["Arena-Run-Id"] == envelope.run_id
    assert decode(subject, body, headers) == envelope
    # A plain client that sends no headers is decoded from the body alone.
    assert decode(subject, body, None) == envelope


def test_follow_keeps_run_and_correlation_and_points_to_its_cause() -> None:
    from arena_core.events.system import ServiceStarted

    first = Envelope.new(
        ServiceStarted(service="s", instance="i", host="h", pid=1, version="0", concurrency=1)
    )
    second = first.follow(first.payload)
    assert (second.run_id, second.correlation_id) == (first.run_id, first.correlation_id)
    assert second.causation_id == first.id
    assert second.id != first.id


@given(st.uuids(version=4).map(str), st.integers(0, 10_000))
def test_derived_ids_are_deterministic_and_distinct_per_index(parent: str, index: int) -> None:
    assert derived_id(parent, index) == derived_id(parent, index)
    assert derived_id(parent, index) != derived_id(parent, index + 1)


def test_ids_sort_by_creation_time() -> None:
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_a_body_whose_type_disagrees_with_its_header_is_rejected() -> None:
    from arena_core.events.system import ServiceStopped

    env = Envelope.new(ServiceStopped(service="s", instance="i", handled=0, failed=0, reason="x"))
    _, body, headers = encode(env)
    headers["Arena-Type"] = "system.service.started"
    with pytest.raises(DecodeError) as err:
        decode("arena.system.service.started", body, headers)
    assert err.value.reason in {InvalidReason.schema_violation, InvalidReason.header_mismatch}


def test_a_composed_name_too_long_for_an_id_is_cut_to_a_stable_unique_one() -> None:
    short = "critic-k-final-1-d"
    assert bounded(short) == short
    long_a, long_b = "critic-" + "k" * 128 + "-final-1", "critic-" + "k" * 128 + "-final-2"
    assert len(bounded(long_a)) == 128
    assert bounded(long_a) == bounded(long_a) != bounded(long_b)
    assert bounded(long_a).startswith("critic-kkk")
