"""``arena up`` brings a crashed worker back after a backoff that grows with each crash."""

from __future__ import annotations

import sys
from pathlib import Path

from arena_core.processes import spawn
from arena_core.settings import Settings
from arena_core.stack import RESTART_BACKOFF_S, STEADY_S, ServiceProcesses, WorkerProcess

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]


def crashing_worker(tmp_path: Path) -> tuple[ServiceProcesses, WorkerProcess]:
    procs = ServiceProcesses(Settings(home=tmp_path), tmp_path / "logs")
    log = tmp_path / "w.log"
    worker = WorkerProcess("engineer", 0, spawn(CRASH, env={}), log, CRASH, {}, started_at=0.0)
    worker.proc.wait()
    procs.workers.append(worker)
    return procs, worker


def test_a_crashed_worker_restarts_after_a_growing_backoff(tmp_path: Path) -> None:
    procs, worker = crashing_worker(tmp_path)
    first_proc = worker.proc

    scheduled = procs.restart_crashed(now=1.0)
    wait = RESTART_BACKOFF_S[0]
    assert scheduled == [
        f"engineer-0 exited with status 3; restarting in {wait:g} s (see {worker.log_path})"
    ]
    assert procs.restart_crashed(now=1.5) == []  # still waiting
    assert procs.restart_crashed(now=1.0 + RESTART_BACKOFF_S[0]) == [
        "engineer-0 restarted (restart 1 in a row)"
    ]
    assert worker.proc is not first_proc
    worker.proc.wait()

    again = procs.restart_crashed(now=3.0)
    assert again[0].endswith(f"restarting in {RESTART_BACKOFF_S[1]:g} s (see {worker.log_path})")


def test_a_worker_that_ran_long_starts_its_backoff_over(tmp_path: Path) -> None:
    procs, worker = crashing_worker(tmp_path)
    worker.restarts = 4

    (said,) = procs.restart_crashed(now=STEADY_S + 1)

    assert f"restarting in {RESTART_BACKOFF_S[0]:g} s" in said
