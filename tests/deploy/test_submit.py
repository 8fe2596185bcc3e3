"""``arena submit``: jobs from the command line onto their subjects, answers back."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from arena_core.bus import Bus
from arena_core.events import Envelope, EventRegistry, registry
from arena_core.events.jobs import JobCompleted, JobRequested
from arena_core.events.sim import SimJobCompleted, SimJobFailed, SimJobRequested
from arena_core.jobs import (
    SubmitError,
    SubmitExit,
    apply_fields,
    envelope_from_json,
    example_payload,
    find_job,
    job_envelope,
    job_kinds,
)
from arena_core.settings import Settings
from arena_core.spec import Zone
from arena_core.spec.examples import ball_to_goal
from simrunner.service import SimRunnerService
from tests.support.stream import stored


class PaintJobRequested(JobRequested):
    """Paint something."""

    color: str
    """Which color."""


class PaintJobCompleted(JobCompleted):
    """Painted."""


async def arena(
    *args: str, nats_url: str | None = None, stdin: bytes = b""
) -> tuple[int, Any, str]:
    """Run the ``arena`` CLI; return its exit status, its JSON output and its stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    if nats_url:
        env["ARENA_NATS_URL"] = nats_url
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "arena_core.cli", *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(stdin), 120)
    text = out.decode().strip()
    return proc.returncode or 0, orjson.loads(text) if text else None, err.decode()


def sim_payload(**changes: Any) -> dict[str, Any]:
    payload = example_payload(SimJobRequested)
    assert payload is not None
    return payload.model_copy(update=changes).model_dump(mode="json")


# -- job types ------------------------------------------------------------------------


def test_job_types_are_discovered_from_the_registry() -> None:
    events = EventRegistry()
    events.register("paint.job.requested", PaintJobRequested)
    events.register("paint.job.completed", PaintJobCompleted)
    kinds = job_kinds(events)
    assert list(kinds) == ["paint"]
    assert kinds["paint"].subject == "arena.paint.job.requested"
    assert kinds["paint"].replies == (PaintJobCompleted,)


def test_a_job_is_found_by_short_name_or_full_type() -> None:
    assert find_job("sim").request is SimJobRequested
    assert find_job("sim.job.requested").replies == (SimJobCompleted, SimJobFailed)


def test_an_unknown_job_type_names_the_known_ones() -> None:
    with pytest.raises(SubmitError) as err:
        find_job("teleport")
    assert err.value.reason == "unknown_type" and "sim" in err.value.detail


def test_every_registered_job_type_has_a_valid_example() -> None:
    for name, kind in job_kinds(registry).items():
        if kind.request.__module__.startswith("tests."):
            continue
        assert example_payload(kind.request) is not None, f"no example for {name}"


# -- building messages ------------------------------------------------------------------


def test_fields_set_nested_values_read_as_json_or_text() -> None:
    data = apply_fields({"spec": {"seed": 1}}, ["spec.seed=7", "spec.note=hello", "a.b=[1,2]"])
    assert data == {"spec": {"seed": 7, "note": "hello"}, "a": {"b": [1, 2]}}


def test_a_field_without_a_value_is_refused() -> None:
    with pytest.raises(SubmitError) as err:
        apply_fields({}, ["seed"])
    assert err.value.reason == "bad_field"


def test_a_payload_that_breaks_the_model_is_a_schema_violation() -> None:
    with pytest.raises(SubmitError) as err:
        job_envelope(find_job("sim"), {"spec": {}}, run_id=None)
    assert err.value.reason == "schema_violation"


def test_a_job_envelope_belongs_to_the_given_run() -> None:
    envelope = job_envelope(find_job("sim"), sim_payload(), run_id="run-7")
    assert envelope.run_id == "run-7" and envelope.correlation_id == envelope.id


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"id": "x"}', "missing_type"),
        (b'{"type": "teleport.job.requested"}', "unknown_type"),
        (b'{"type": "sim.job.requested", "id": "x"}', "schema_violation"),
    ],
)
def test_a_bad_envelope_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(SubmitError) as err:
        envelope_from_json(body)
    assert err.value.reason == reason


# -- the command ------------------------------------------------------------------------


async def test_submit_wait_prints_the_answer_of_a_job(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    job = tmp_path / "job.json"
    job.write_bytes(orjson.dumps(sim_payload()))
    async with SimRunnerService(bus, settings).running():
        code, answer, err = await arena(
            "submit", "sim", "--file", str(job), "--field", "spec.seed=5", "--wait",
            "--run-id", "cli-run", nats_url=settings.nats_url,
        )  # fmt: skip
    assert code == SubmitExit.ok, err
    assert answer["type"] == "sim.job.completed" and answer["payload"]["passed"]
    assert answer["run_id"] == "cli-run"
    (request,) = await stored(bus, "arena.sim.job.requested")
    assert request.id == answer["causation_id"] and request.payload.spec.seed == 5


async def test_submit_without_wait_prints_where_the_job_was_stored(
    bus: Bus, settings: Settings
) -> None:
    code, receipt, err = await arena(
        "submit", "sim", "--json", orjson.dumps(sim_payload()).decode(),
        nats_url=settings.nats_url,
    )  # fmt: skip
    assert code == SubmitExit.ok, err
    (request,) = await stored(bus, "arena.sim.job.requested")
    assert receipt == {
        "id": request.id,
        "type": "sim.job.requested",
        "subject": "arena.sim.job.requested",
        "run_id": request.run_id,
        "stream_seq": 1,
    }


async def test_a_complete_envelope_from_stdin_is_published_as_is(
    bus: Bus, settings: Settings
) -> None:
    envelope = Envelope.new(SimJobRequested.model_validate(sim_payload()), run_id="given")
    code, receipt, err = await arena(
        "submit",
        "--file",
        "-",
        nats_url=settings.nats_url,
        stdin=envelope.model_dump_json().encode(),
    )
    assert code == SubmitExit.ok, err
    (request,) = await stored(bus, "arena.sim.job.requested")
    assert request == envelope and receipt["id"] == envelope.id


async def test_an_invalid_envelope_exits_2_with_the_reason_and_publishes_nothing(
    bus: Bus, settings: Settings
) -> None:
    body = Envelope.new(SimJobRequested.model_validate(sim_payload())).model_dump(mode="json")
    body["payload"]["spec"]["difficulty"] = "hard"
    code, _, err = await arena(
        "submit", "--file", "-", nats_url=settings.nats_url, stdin=orjson.dumps(body)
    )
    assert code == SubmitExit.invalid
    assert orjson.loads(err)["error"] == "schema_violation"
    assert await stored(bus) == []


async def test_a_rejected_job_exits_1_with_the_error_event(bus: Bus, settings: Settings) -> None:
    lava = Zone(label="lava", low=(0.7, -0.3, -0.1), high=(0.8, 0.3, 0.1))
    contradictory = ball_to_goal().model_copy(update={"forbid_zones": (lava,)})
    payload = sim_payload(spec=contradictory)
    async with SimRunnerService(bus, settings).running():
        code, answer, _ = await arena(
            "submit", "sim", "--json", orjson.dumps(payload).decode(), "--wait",
            nats_url=settings.nats_url,
        )  # fmt: skip
    assert code == SubmitExit.job_failed
    assert answer["type"] == "error.invalid_message"
    assert answer["payload"]["reason"] == "spec_contradiction"


async def test_a_job_no_worker_consumes_is_refused_naming_its_command(
    bus: Bus, settings: Settings
) -> None:
    code, _, err = await arena(
        "submit", "demo", "--json", orjson.dumps({"benchmarks": 1}).decode(), "--wait",
        nats_url=settings.nats_url,
    )  # fmt: skip
    assert code == SubmitExit.invalid
    refusal = orjson.loads(err)
    assert refusal["error"] == "no_worker" and "arena demo" in refusal["detail"]
    assert await stored(bus) == []  # nothing published that nobody would answer


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("rollout", {"benchmark_ids": ["example:ball_to_goal:0"], "k": 0}),
        ("rollout", {"k": 2, "min_difficulty": 6}),
        ("rollout", {"k": 2, "max_sim_calls": 0}),
        ("calibrate", {"benchmark_ids": ["b1"], "rollouts": 0}),
        ("calibrate", {"families": ["sweep"], "max_difficulty": 0}),
        ("calibrate", {"benchmark_ids": ["b1"], "max_sim_calls": -1}),
    ],
)
async def test_a_batch_job_with_bad_numbers_is_refused_before_it_is_published(
    bus: Bus, settings: Settings, kind: str, payload: dict[str, Any]
) -> None:
    code, _, err = await arena(
        "submit", kind, "--json", orjson.dumps(payload).decode(), nats_url=settings.nats_url
    )
    assert code == SubmitExit.invalid
    assert orjson.loads(err)["error"] == "schema_violation"
    assert await stored(bus) == []


async def test_wait_without_a_worker_times_out_with_exit_124(settings: Settings) -> None:
    code, answer, _ = await arena(
        "submit", "sim", "--json", orjson.dumps(sim_payload()).decode(), "--wait",
        "--timeout", "0.5", nats_url=settings.nats_url,
    )  # fmt: skip
    assert code == SubmitExit.timeout and answer["error"] == "timeout"


async def test_submit_without_a_server_exits_2(tmp_path: Path) -> None:
    code, _, err = await arena("submit", "sim", "--json", orjson.dumps(sim_payload()).decode())
    assert code == SubmitExit.invalid and "ARENA_NATS_URL" in err


async def test_jobs_list_names_each_job_with_its_subjects() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "arena_core.cli", "jobs", "list",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    jobs = {line["job"]: line for line in map(orjson.loads, out.splitlines())}
    assert jobs["sim"]["subject"] == "arena.sim.job.requested"
    assert jobs["sim"]["replies"] == ["arena.sim.job.completed", "arena.sim.job.failed"]
