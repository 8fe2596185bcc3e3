"""Several worker processes share one durable consumer; crashes and SIGTERM lose nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.processes import spawn, terminate
from arena_core.settings import Settings
from tests.support.stream import stored, wait_for
from tests.support.work import WorkRequested

REPO = Path(__file__).resolve().parents[2]


def start_worker(settings: Settings, log: Path, **env: str) -> subprocess.Popen[bytes]:
    environ = {
        **os.environ,
        "ARENA_NATS_URL": str(settings.nats_url),
        "ARENA_ACK_WAIT_S": "2",
        "ARENA_NAK_BACKOFF_S": "[0.1]",
        "ARENA_FETCH_WAIT_S": "0.2",
        "PYTHONPATH": str(REPO),
        **env,
    }
    with open(log, "ab") as out:
        return spawn(
            [sys.executable, "-m", "tests.support.work_worker"],
            env=environ,
            cwd=REPO,
            stdout=out,
            stderr=out,
        )


async def wait_for_file(pattern: str, directory: Path, timeout: float = 20.0) -> Path:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        found = sorted(directory.glob(pattern))
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no {pattern} in {directory} after {timeout}s")


async def test_two_processes_share_1000_jobs_and_a_killed_workers_job_is_redone(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    workers = [start_worker(settings, tmp_path / f"w{i}.log") for i in range(2)]
    try:
        # Job 0 is slow and leaves a marker so we know which process holds it.
        jobs = [WorkRequested(n=0, sleep_s=30, marker_dir=str(markers))]
        jobs += [WorkRequested(n=i) for i in range(1, 1000)]
        await bus.publish_many([Envelope.new(job) for job in jobs])

        started = await wait_for_file("0.*.started", markers)
        victim_pid = int(started.name.split(".")[1])
        victim = next(w for w in workers if w.pid == victim_pid)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)

        # After ack_wait the server redelivers job 0 to the surviving process.
        final = await wait_for(bus, "arena.test.work.completed", 1000, timeout=120)
        survivor = next(w for w in workers if w is not victim)
        assert (markers / f"0.{survivor.pid}.started").exists()
    finally:
        for w in workers:
            terminate(w)

    counts = Counter(e.payload.n for e in final)
    assert set(counts) == set(range(1000)), "a job was lost"
    assert max(counts.values()) == 1, "a job was completed twice"
    job0 = next(e for e in final if e.payload.n == 0)
    assert job0.payload.worker.split(":")[1] == str(survivor.pid)
    assert job0.payload.attempt == 2


async def test_sigterm_lets_the_in_flight_job_finish_and_fetches_nothing_new(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    worker = start_worker(settings, tmp_path / "w.log")
    try:
        seq1 = await bus.publish(
            Envelope.new(WorkRequested(n=1, sleep_s=2, marker_dir=str(markers)))
        )
        await wait_for_file("1.*.started", markers)
        worker.send_signal(signal.SIGTERM)
        # Published after SIGTERM: the draining worker must not take it.
        await asyncio.sleep(0.2)
        await bus.publish(Envelope.new(WorkRequested(n=2, marker_dir=str(markers))))
        code = await asyncio.to_thread(worker.wait, 20)
        info = await bus.js.consumer_info(bus.stream.name, "testwork")
        completed = [e.payload.n for e in await stored(bus, "arena.test.work.completed")]
        stopped = await stored(bus, "arena.system.service.stopped")

        # Job 2 is still there for the next process.
        successor = start_worker(settings, tmp_path / "w2.log")
        later = await wait_for(bus, "arena.test.work.completed", 2, timeout=20)
    finally:
        terminate(worker)
        with contextlib.suppress(NameError):
            terminate(successor)

    assert code == 0
    assert completed == [1]
    assert info.ack_floor.stream_seq >= seq1, "the in-flight job was not acked"
    assert not list(markers.glob(f"2.{worker.pid}.*")), "the draining worker started job 2"
    assert stopped[-1].payload.reason == "signal"
    assert stopped[-1].payload.handled == 1
    assert sorted(e.payload.n for e in later) == [1, 2]
