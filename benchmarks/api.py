"""HTTP API and backups: timeline reads through the API vs in-process; backup and restore.

1. A recording of ``--mb`` MB (default 200) is synthesised quickly by bulk inserts of
   realistic rows straight into a fresh database (not through the bus: the point is
   its size and shape): agent conversations whose every LLM request carries the growing
   history, as real ones do, plus one run of ``--run-events`` events for the timeline.
2. ``GET /runs/{id}/timeline`` (a 200-entry page) through the real server (uvicorn in
   its own process, bearer token, read-only SQLite) under 32 and 50 concurrent clients
   (httpx, this process), against the same query and serialisation in-process, same
   run: ``api_ratio`` = API throughput over in-process throughput, p50 / p99 latency;
   the sides alternate for ``--rounds`` rounds and each keeps its best.
3. Backup to a loopback S3 server (moto): online snapshot, the chosen codec, upload;
   codecs compared on the same bytes (zstd 19, zstd 22 --long, xz -6), on a slice of
   ``--codec-mb`` MB so the run stays short; restore verified (digests, integrity
   check, every table's logical digest) and timed.

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from arena_core.api import create_app
from arena_core.api.tokens import digest, mint
from arena_core.backup import backup, restore
from arena_core.backup.codec import Codec, compress
from arena_core.db import open_database
from arena_core.events.access import Scope
from arena_core.replay.timeline import timeline_page
from arena_core.settings import Settings

WORDS = [
    "the",
    "engineer",
    "places",
    "a",
    "ramp",
    "bracket",
    "at",
    "the",
    "build",
    "zone",
    "edge",
    "so",
    "the",
    "ball",
    "rolls",
    "into",
    "goal",
    "while",
    "mass",
    "stays",
    "under",
    "limit",
    "and",
    "cost",
    "under",
    "budget",
    "check",
    "clearance",
    "against",
    "static",
    "objects",
    "then",
    "simulate",
    "preview",
    "copies",
    "jitter",
    "friction",
    "pla",
    "abs",
    "steel",
    "plywood",
    "motor",
    "torque",
    "hinge",
    "joint",
    "axis",
    "wall",
    "floor",
    "gap",
    "bridge",
    "load",
    "hold",
    "push",
    "tolerance",
    "millimetre",
]
RUN = "bench-timeline-run"


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def envelope(seq: int, kind: str, run_id: str, payload: dict[str, Any], ts: datetime) -> bytes:
    return orjson.dumps({
        "id": f"{seq:032x}", "type": kind, "run_id": run_id, "correlation_id": run_id,
        "causation_id": None, "agent": {"role": "engineer", "id": f"eng-{run_id}"},
        "ts": ts.isoformat(), "schema_version": 1, "payload": payload,
    })  # fmt: skip


def synthesise(db: Path, mb: int, run_events: int, seed: int = 0) -> int:
    """Fill ``db`` with ~``mb`` MB of rows; return the number of messages."""
    open_database(db).dispose()
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    seq, size, rows = 0, 0, []
    sql = (
        "INSERT INTO messages (seq, subject, headers, msg_id, type, run_id, correlation_id, "
        "causation_id, agent_role, agent_id, ts, schema_version, stream_ts, body, valid) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)"
    )

    def add(kind: str, run_id: str, payload: dict[str, Any]) -> None:
        nonlocal seq, size
        seq += 1
        ts = start + timedelta(milliseconds=seq * 7)
        body = envelope(seq, kind, run_id, payload, ts)
        size += len(body)
        stamp = ts.strftime("%Y-%m-%d %H:%M:%S.%f")
        rows.append((seq, f"arena.{kind}", "{}", f"{seq:032x}", kind, run_id, run_id, None,
                     "engineer", f"eng-{run_id}", stamp, 1, stamp, body))  # fmt: skip
        if len(rows) >= 2000:
            conn.executemany(sql, rows)
            rows.clear()

    for i in range(run_events):
        add("agent.thought.recorded", RUN, {"text": text(rng, 40), "turn_index": i})
    conversation = 0
    while size < mb * 1024 * 1024:
        conversation += 1
        run_id = f"run-{conversation // 10:06d}"
        history: list[dict[str, str]] = [{"role": "user", "content": text(rng, 150)}]
        for turn in range(16):
            add("llm.call.requested", run_id, {
                "conversation_id": f"c{conversation}", "turn_index": turn,
                "system": "You are the engineer. " + " ".join(WORDS), "messages": history,
            })  # fmt: skip
            answer = text(rng, rng.randint(60, 220))
            add("llm.call.completed", run_id, {
                "conversation_id": f"c{conversation}", "turn_index": turn,
                "content": [{"type": "text", "text": answer}],
                "usage": {"input_tokens": 900 + 40 * turn, "output_tokens": 180},
            })  # fmt: skip
            history = [*history, {"role": "assistant", "content": answer},
                       {"role": "user", "content": text(rng, 50)}]  # fmt: skip
    if rows:
        conn.executemany(sql, rows)
    conn.execute(
        "INSERT INTO runs (run_id, kind, status, started_at, ended_at, first_seq, last_seq, "
        "events, invalid_events, jobs_open, jobs_completed, jobs_failed, input_tokens, "
        "output_tokens, cost_usd, sim_time_s) VALUES (?, 'agent', 'recorded', ?, ?, 1, ?, ?, "
        "0, 0, 0, 0, 0, 0, 0, 0)",
        (RUN, "2026-01-01 00:00:00.000000", "2026-01-01 00:00:01.000000", run_events,
         run_events),
    )  # fmt: skip
    conn.commit()
    conn.close()
    return seq


def add_token(db: Path) -> str:
    token, created = mint("bench", (Scope.read,))
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO api_tokens (token_id, name, scopes, secret_sha256, created_seq, created_at)"
        " VALUES (?, 'bench', 'read', ?, 0, '2026-01-01 00:00:00.000000')",
        (created.token_id, digest(token)),
    )
    conn.commit()
    conn.close()
    return token


def in_process(settings: Settings, seconds: float) -> float:
    """Requests per second of the same page query and JSON serialisation, in-process."""
    from arena_core.api.context import read_only_engine
    from arena_core.api.runs import Timeline

    engine = read_only_engine(settings.database_path)
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        entries = timeline_page(engine, RUN, limit=200)
        Timeline(run_id=RUN, entries=entries).model_dump_json()
        done += 1
    engine.dispose()
    return done / seconds


def serve_forever(db: Path, port_file: Path) -> None:
    """The server side of the harness, in its own process (as ``arena api`` runs)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port_file.write_text(str(sock.getsockname()[1]))
    settings = Settings(db_path=db, workspace=db.parent / "ws", home=db.parent)
    config = uvicorn.Config(
        create_app(settings, connect_bus=False),
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve(db: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port_file = db.parent / "port"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(db), str(port_file)])
    for _ in range(600):
        if port_file.exists() and port_file.read_text():
            url = f"http://127.0.0.1:{port_file.read_text()}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    return url, proc
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the API server did not start")


async def load(url: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[float] = []
    path = f"/runs/{RUN}/timeline?limit=200"
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                try:
                    answer = await client.get(path)
                except httpx.TransportError:
                    errors.append(time.perf_counter() - t0)  # counted, not timed
                    continue
                latencies.append(time.perf_counter() - t0)
                if answer.status_code != 200:
                    raise RuntimeError(f"bad answer {answer.status_code}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": len(errors),
    }


def codecs(snapshot: Path, slice_mb: int, work: Path) -> dict[str, dict[str, float]]:
    sample = work / "slice.db"
    with snapshot.open("rb") as src, sample.open("wb") as dst:
        dst.write(src.read(slice_mb * 1024 * 1024))
    out = {}
    for codec in (Codec.zstd19, Codec.zstd22_long, Codec.xz6):
        target = work / f"slice.{codec}"
        t0 = time.perf_counter()
        compress(codec, sample, target)
        elapsed = time.perf_counter() - t0
        out[codec.value] = {
            "ratio": sample.stat().st_size / target.stat().st_size,
            "mb_s": sample.stat().st_size / 1e6 / elapsed,
        }
        target.unlink()
    return out


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve_forever(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--run-events", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--codec-mb", type=int, default=24)
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    with tempfile.TemporaryDirectory(prefix="arena-bench-api-") as tmp:
        work = Path(tmp)
        db = work / "arena.db"
        t0 = time.perf_counter()
        count = synthesise(db, args.mb, args.run_events)
        print(f"synthesised {count} messages, {db.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)  # fmt: skip
        token = add_token(db)
        settings = Settings(db_path=db, workspace=work / "ws", home=work)
        url, server = serve(db)
        page = httpx.get(f"{url}/runs/{RUN}/timeline?limit=200",
                         headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
        assert len(page["entries"]) == 200, page
        # Alternate the two sides and keep each one's best round: a shared machine's
        # load then slows both alike instead of whichever ran during a burst.
        local, at32, at50 = 0.0, {"rps": 0.0}, {"rps": 0.0}
        try:
            for _ in range(args.rounds):
                local = max(local, in_process(settings, args.seconds))
                at32 = max(at32, asyncio.run(load(url, token, 32, args.seconds)),
                           key=lambda r: r["rps"])  # fmt: skip
                at50 = max(at50, asyncio.run(load(url, token, 50, args.seconds)),
                           key=lambda r: r["rps"])  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)
        print(f"in-process {local:.0f}/s, api@32 {at32}, api@50 {at50}", file=sys.stderr)

        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        host, port = moto.get_host_and_port()
        from pydantic import SecretStr

        s3 = settings.model_copy(update={
            "s3_endpoint_url": f"http://{host}:{port}", "s3_bucket": "bench",
            "s3_access_key_id": SecretStr("x"), "s3_secret_access_key": SecretStr("x"),
        })  # fmt: skip
        import boto3

        client = boto3.client(
            "s3", endpoint_url=s3.s3_endpoint_url, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
        )  # fmt: skip
        client.create_bucket(Bucket="bench")
        t1 = time.perf_counter()
        manifest = backup(s3, work_dir=work)
        backup_s = time.perf_counter() - t1
        snap = work / "snap.db"
        from arena_core.backup.snapshot import snapshot

        snapshot(db, snap)
        compared = codecs(snap, args.codec_mb, work)
        snap.unlink()
        t2 = time.perf_counter()
        restored = restore(s3, manifest.backup_id)
        restore_s = time.perf_counter() - t2
        moto.stop()
        print(f"backup {manifest.model_dump_json(exclude={'tables'})}", file=sys.stderr)
        print(f"codecs on {args.codec_mb} MB: {compared}", file=sys.stderr)
    chosen = compared[manifest.codec.value]
    result = {
        "recording_mb": round(manifest.snapshot_bytes / 1e6, 1),
        "messages": count,
        "inprocess_rps": round(local, 1),
        "api_rps_32": round(at32["rps"], 1),
        "api_ratio": round(at32["rps"] / local, 3),
        "rounds": args.rounds,
        "p50_ms_32": round(at32["p50_ms"], 1),
        "p99_ms_32": round(at32["p99_ms"], 1),
        "api_rps_50": round(at50["rps"], 1),
        "p50_ms_50": round(at50["p50_ms"], 1),
        "p99_ms_50": round(at50["p99_ms"], 1),
        "transport_errors": at32["errors"] + at50["errors"],
        "codec": manifest.codec.value,
        "backup_mb_s": round(manifest.snapshot_bytes / 1e6 / backup_s, 2),
        "backup_ratio": manifest.ratio,
        "ratio_vs_xz": round(chosen["ratio"] / compared["xz-6"]["ratio"], 3),
        "zstd19_vs_xz": round(compared["zstd-19"]["ratio"] / compared["xz-6"]["ratio"], 3),
        "zstd22long_vs_xz": round(compared["zstd-22-long"]["ratio"] / compared["xz-6"]["ratio"], 3),
        "codec_slice_mb": args.codec_mb,
        "codecs": {k: {m: round(v, 2) for m, v in c.items()} for k, c in compared.items()},
        "restore_s": round(restore_s, 2),
        "restore_verified": restored.backup_id == manifest.backup_id,
    }
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
