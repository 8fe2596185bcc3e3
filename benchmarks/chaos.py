"""Solve jobs under a fault campaign: killed workers, a killed recorder, a NATS restart.

    .venv/bin/python benchmarks/chaos.py [--jobs 12] [--kill-every-s 10] [--spacing-s 5]

One stack (embedded NATS, every service, 2 engineers and 2 simrunners) in a fresh
directory. After one uncounted warm-up solve, the same N solve jobs (one submitted every
``--spacing-s``) run twice: first without faults (the baseline), then while a random
worker is SIGKILLed every ~``--kill-every-s`` seconds (``arena up``'s restart policy
brings each back), the recorder is SIGKILLed twice (the 2nd and 4th kill), and then
NATS is stopped and started again on its own store (JetStream state on disk kept) at
``--nats-restart-at-s`` into the fault phase (default: 80 % of the submission window,
so jobs are still being submitted and solved), or at the second recorder kill if that
comes later. Afterwards the recording is checked: every envelope id must be one event,
and every stream message recorded.

Last line: ``{"bench": "chaos", "jobs": n, "completed": c, "lost": l,
"duplicate_ids": d, "p99_ratio": r, "kills": k, "nats_restarts": 1}``; goals:
completed == jobs, lost == 0, duplicate_ids == 0, p99_ratio <= 2 (p99 solve latency with
faults / without), and the campaign really ran (kills >= 4, nats_restarts == 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from arena_core.bus import Bus, EmbeddedNats, RequestFailed, RequestTimeout
from arena_core.events import Envelope
from arena_core.events.jobs import JobCompleted, JobFailed
from arena_core.jobs import find_job
from arena_core.jobs.examples import example_envelope
from arena_core.processes import free_port
from arena_core.settings import Settings
from arena_core.stack import RECORDER, ServiceProcesses, service_names, wait_until_running

JOB_TIMEOUT_S = 1800.0


def solve_jobs(n: int, tag: str) -> list[Envelope[Any]]:
    """N solve jobs of the built-in example, each its own key and rollout seed."""
    example = example_envelope(find_job("solve"))
    if example is None:
        raise SystemExit("no example solve job")
    return [
        Envelope.new(
            example.payload.model_copy(update={"key": f"chaos-{tag}-{i}", "rollout_seed": i})
        )
        for i in range(n)
    ]


async def run_jobs(
    bus: Bus, jobs: list[Envelope[Any]], spacing_s: float
) -> list[tuple[str, float]]:
    """Submit job i after ``i * spacing_s``; (outcome, seconds from its submission) each."""
    replies = find_job("solve").replies

    async def one(i: int, job: Envelope[Any]) -> tuple[str, float]:
        await asyncio.sleep(i * spacing_s)
        started = time.monotonic()
        try:
            reply = await bus.request(job, replies, timeout=JOB_TIMEOUT_S)
            done = isinstance(reply.payload, JobCompleted | JobFailed)
            outcome = "answered" if done else reply.type
        except RequestFailed as failed:
            outcome = failed.reply.type
        except RequestTimeout:
            outcome = "timeout"
        took = time.monotonic() - started
        print(f"  job {i} ({job.id}): {outcome} after {took:.1f} s", flush=True)
        return outcome, took

    return list(await asyncio.gather(*(one(i, job) for i, job in enumerate(jobs))))


NATS_DOWN_S = 2.0
"""How long NATS stays stopped during its restart."""


class Faults:
    """Kills workers on a schedule while the chaos phase runs, and restarts NATS once at
    ``nats_at_s`` seconds into it (its store on disk is kept)."""

    def __init__(
        self,
        procs: ServiceProcesses,
        nats: EmbeddedNats,
        every_s: float,
        seed: int,
        nats_at_s: float,
    ) -> None:
        self.procs, self.nats, self.every_s, self.nats_at_s = procs, nats, every_s, nats_at_s
        self.rng = random.Random(seed)
        self.kills = 0
        self.recorder_kills = 0
        self.nats_restarts = 0

    def _kill(self, service: str | None) -> bool:
        alive = [w for w in self.procs.workers if w.proc.poll() is None]
        chosen = [w for w in alive if (w.service == service if service else w.service != RECORDER)]
        if not chosen:
            return False
        victim = self.rng.choice(chosen)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(victim.proc.pid, 9)
        self.kills += 1
        print(f"  killed {victim.service}-{victim.index}", flush=True)
        return True

    async def _restart_nats(self, at_s: float) -> None:
        print(f"  restarting NATS at {at_s:.0f} s (down {NATS_DOWN_S:g} s)", flush=True)
        await asyncio.to_thread(self.nats.stop)
        await asyncio.sleep(NATS_DOWN_S)
        await asyncio.to_thread(self.nats.start)
        self.nats_restarts += 1

    async def run(self, stop: asyncio.Event) -> None:
        started = time.monotonic()
        next_kill = started + self.every_s
        while not stop.is_set():
            now = time.monotonic()
            for line in self.procs.restart_crashed(now):
                print(f"  {line}", flush=True)
            if self.every_s > 0 and now >= next_kill:
                rounds = self.kills + 1
                if rounds in (2, 4) and self.recorder_kills < 2:
                    self.recorder_kills += self._kill(RECORDER)
                else:
                    self._kill(None)
                next_kill = now + self.every_s * self.rng.uniform(0.7, 1.3)
            due = now - started >= self.nats_at_s and (
                self.recorder_kills >= 2 or self.every_s <= 0
            )
            if due and not self.nats_restarts:
                await self._restart_nats(now - started)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)


async def stack_running(procs: ServiceProcesses, url: str, counts: dict[str, int]) -> None:
    """Wait for every process to be running; a process that dies meanwhile ends the run."""
    waiting = asyncio.create_task(wait_until_running(url, counts, timeout=300))
    while not waiting.done():
        if dead := procs.crashed():
            waiting.cancel()
            first = dead[0]
            raise SystemExit(f"{first.service}-{first.index} exited at start: see {first.log_path}")
        await asyncio.wait({waiting}, timeout=1.0)
    waiting.result()


def duplicate_ids(database: Path) -> int:
    """Envelope ids recorded more than once as events, plus repeats the recorder flagged."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        doubled = db.execute(
            "SELECT COUNT(*) FROM (SELECT msg_id FROM messages WHERE valid "
            "GROUP BY msg_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        flagged = db.execute(
            "SELECT COUNT(*) FROM messages WHERE error_reason = 'duplicate_id'"
        ).fetchone()[0]
    return int(doubled) + int(flagged)


async def settled(bus: Bus, database: Path, within_s: float = 300.0) -> int:
    """Wait until the recorder has everything now in the stream; how many messages it lacks."""
    last = int((await bus.js.stream_info(bus.stream.name)).state.last_seq)
    end = time.monotonic() + within_s
    while True:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            recorded = db.execute("SELECT COUNT(*) FROM messages WHERE seq <= ?", (last,))
            missing = last - int(recorded.fetchone()[0])
        if missing == 0 or time.monotonic() > end:
            return missing
        await asyncio.sleep(0.5)


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--kill-every-s", type=float, default=10.0, help="0: no kills")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spacing-s", type=float, default=5.0, help="between submissions")
    parser.add_argument(
        "--nats-restart-at-s",
        type=float,
        default=None,
        help="seconds into the fault phase (default: 80%% of the submission window)",
    )
    parser.add_argument("--keep", type=Path, help="run in this directory and keep it (logs)")
    args = parser.parse_args()
    nats_at_s = args.nats_restart_at_s
    if nats_at_s is None:
        nats_at_s = 0.8 * max(args.jobs - 1, 1) * args.spacing_s
    with contextlib.ExitStack() as cleanup:
        tmp = args.keep or cleanup.enter_context(tempfile.TemporaryDirectory(prefix="arena-chaos-"))
        home, workspace = Path(tmp) / ".arena", Path(tmp) / "workspace"
        nats = EmbeddedNats(home / "nats", port=free_port("127.0.0.1")).start()
        settings = Settings(home=home, workspace=workspace, nats_url=nats.url)
        extra = {"ARENA_HOME": str(home), "ARENA_WORKSPACE": str(workspace)}
        procs = ServiceProcesses(settings, home / "logs", extra_env=extra)
        counts = {name: 1 for name in service_names()}
        counts.update(engineer=2, simrunner=2)
        try:
            for name, n in counts.items():
                procs.start(name, n)
            await stack_running(procs, nats.url, counts)
            bus = await Bus(nats.url, name="chaos").connect()  # reconnects after NATS restarts
            # One solve first, not counted: a cold process's first solve would be the
            # baseline's p99 and flatter the ratio.
            print("warm-up: 1 solve job", flush=True)
            await run_jobs(bus, solve_jobs(1, "warm"), 0.0)
            print(f"baseline: {args.jobs} solve jobs, no faults", flush=True)
            calm = await run_jobs(bus, solve_jobs(args.jobs, "calm"), args.spacing_s)
            print(
                f"chaos: {args.jobs} solve jobs, a kill every ~{args.kill_every_s:g} s", flush=True
            )
            faults = Faults(procs, nats, args.kill_every_s, args.seed, nats_at_s)
            stop = asyncio.Event()
            injector = asyncio.create_task(faults.run(stop))
            stormy = await run_jobs(bus, solve_jobs(args.jobs, "storm"), args.spacing_s)
            stop.set()
            await injector
            if not faults.nats_restarts:
                print(f"  jobs ended before {nats_at_s:g} s: NATS was never restarted")
            for _ in range(120):  # let restarted workers and the recorder catch up
                procs.restart_crashed()
                await asyncio.sleep(0.5)
            unrecorded = await settled(bus, settings.database_path)
            doubles = duplicate_ids(settings.database_path)
            await bus.close()
        finally:
            procs.stop()
            nats.stop()
    completed = sum(1 for outcome, _ in stormy if outcome == "answered")
    calm_p99 = p99([s for _, s in calm])
    storm_p99 = p99([s for _, s in stormy])
    print(
        f"baseline: median {statistics.median(s for _, s in calm):.1f} s, p99 {calm_p99:.1f} s; "
        f"chaos: median {statistics.median(s for _, s in stormy):.1f} s, p99 {storm_p99:.1f} s; "
        f"outcomes {sorted(o for o, _ in stormy)}; "
        f"{faults.kills} kills ({faults.recorder_kills} of the recorder); "
        f"{unrecorded} stream messages not recorded"
    )
    print(
        orjson.dumps(
            {
                "bench": "chaos",
                "jobs": args.jobs,
                "completed": completed,
                "lost": args.jobs - completed,
                "duplicate_ids": doubles,
                "p99_ratio": round(storm_p99 / calm_p99, 3) if calm_p99 else None,
                "kills": faults.kills,
                "nats_restarts": faults.nats_restarts,
            }
        ).decode()
    )


if __name__ == "__main__":
    asyncio.run(main())
