"""Rollouts to training data: K rollouts on mixed-difficulty benchmarks, every format.

Generates BENCHMARKS benchmarks (difficulties 1-4, random families) on a fresh stack
(NATS and one process per service), rolls each out K times (one rollout job on the bus,
run by the batcher as for ``arena rollouts``), then exports every format. Prints the
share of GRPO groups (engineer) whose rewards vary, the preference pairs, the share of
sft-openai rows valid against OpenAI's fine-tuning schema and of sft-trl rows TRL renders,
rollouts per minute, and the export ratio: sft-openai export rate / raw SELECT rate of
the same rows, same run (higher is better). Last line: one JSON object.

    python benchmarks/rollouts.py [BENCHMARKS] [K]
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.db.tables import turns
from arena_core.events import Envelope
from arena_core.events.benchmark import (
    BenchmarkJobCompleted,
    BenchmarkJobFailed,
    BenchmarkJobRequested,
)
from arena_core.events.rollouts import RolloutJobCompleted, RolloutJobFailed, RolloutJobRequested
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.settings import Settings
from arena_core.stack import ServiceProcesses, nats_for, wait_until_running

BENCHMARKS = int(sys.argv[1]) if len(sys.argv) > 1 else 12
K = int(sys.argv[2]) if len(sys.argv) > 2 else 8
WORKERS = {"recorder": 1, "generator": 1, "simrunner": 2, "planner": 1, "engineer": 2,
           "critic": 1, "batcher": 1}  # fmt: skip


async def generate(settings: Settings) -> int:
    """Generate jobs (difficulties 1-4 in turn) until BENCHMARKS are accepted (at most
    three rounds); how many were accepted."""
    accepted, seed = 0, 1000
    async with make_bus(settings, name="bench-generate") as bus:
        for _ in range(3):
            wanted = BENCHMARKS - accepted
            if wanted <= 0:
                break
            jobs = [
                Envelope.new(BenchmarkJobRequested(seed=seed + i, difficulty=1 + (seed + i) % 4))
                for i in range(wanted + wanted // 2)
            ]
            seed += len(jobs)
            answers = await asyncio.gather(
                *(bus.request(j, [BenchmarkJobCompleted, BenchmarkJobFailed], timeout=900)
                  for j in jobs),
                return_exceptions=True,
            )  # fmt: skip
            accepted += sum(
                1 for a in answers if isinstance(a, Envelope) and a.type.endswith("completed")
            )
    return accepted


def wait_for_library(engine: Any, accepted: int) -> None:
    """Until the recorder has committed the accepted benchmarks."""
    from arena_core.db.benchmarks import library

    for _ in range(120):
        with engine.connect() as conn:
            if len(library(conn)) >= accepted:
                return
        time.sleep(0.5)


async def rollouts(settings: Settings) -> tuple[int, float]:
    """K rollouts of the first BENCHMARKS of the library: one job, the batcher runs it."""
    request = RolloutJobRequested(limit=BENCHMARKS, k=K, concurrency=4, solve_timeout_s=1800)
    start = time.perf_counter()
    async with make_bus(settings, name="bench-rollouts") as bus:
        reply = await bus.request(
            Envelope.new(request), [RolloutJobCompleted, RolloutJobFailed], timeout=86_400
        )
    if isinstance(reply.payload, RolloutJobFailed):
        raise SystemExit(f"rollouts failed: {reply.payload.detail}")
    return reply.payload.rollouts, time.perf_counter() - start


def rows(engine: Any, fmt: ExportFormat, flt: ExportFilter = ExportFilter()) -> list[Any]:
    out = io.BytesIO()
    export(engine, fmt, out, flt)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


def openai_valid(rows_: list[Any]) -> float:
    import jsonschema
    from tests.export.formats import OPENAI_CHAT_FINE_TUNING

    validator = jsonschema.Draft202012Validator(OPENAI_CHAT_FINE_TUNING)
    return sum(validator.is_valid(r) for r in rows_) / max(len(rows_), 1)


def trl_valid(rows_: list[Any]) -> float:
    from tests.export.formats import TOOL_CHAT_TEMPLATE
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast
    from trl.data_utils import apply_chat_template, is_conversational

    tok = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]")), unk_token="[UNK]"
    )
    tok.chat_template = TOOL_CHAT_TEMPLATE
    ok = 0
    for r in rows_:
        try:
            apply_chat_template({"messages": r["messages"]}, tok, tools=r["tools"])
            ok += is_conversational(r)
        except Exception as exc:
            print(f"trl: {exc}")
    return ok / max(len(rows_), 1)


def export_ratio(engine: Any, rounds: int = 3) -> float:
    """Raw scan time / export time of the same conversations (best of ``rounds``)."""
    scan_s = export_s = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        with engine.connect() as conn:
            for _row in conn.execute(select(turns.c.request, turns.c.response)):
                pass
        scan_s = min(scan_s, time.perf_counter() - t)
        t = time.perf_counter()
        export(engine, ExportFormat.sft_openai, io.BytesIO())
        export_s = min(export_s, time.perf_counter() - t)
    print(f"raw scan {scan_s:.3f}s, sft-openai export {export_s:.3f}s (best of {rounds})")
    return scan_s / export_s


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Through the environment, so the service processes use the same places.
        os.environ.pop("ARENA_NATS_URL", None)
        os.environ["ARENA_HOME"] = str(Path(tmp) / ".arena")
        os.environ["ARENA_WORKSPACE"] = str(Path(tmp) / "workspace")
        settings = Settings()
        with nats_for(settings) as live:
            procs = ServiceProcesses(live, live.home / "logs")
            try:
                for service, count in WORKERS.items():
                    procs.start(service, count)
                asyncio.run(wait_until_running(str(live.nats_url), WORKERS, timeout=300))
                t = time.perf_counter()
                accepted = asyncio.run(generate(live))
                print(f"generated {accepted}/{BENCHMARKS} benchmarks in "
                      f"{time.perf_counter() - t:.0f}s")  # fmt: skip
                wait_for_library(open_database(live.database_path), accepted)
                done, wall = asyncio.run(rollouts(live))
                print(f"{done} rollouts in {wall:.0f}s")
                time.sleep(3)  # the recorder commits the last events
            finally:
                procs.stop()
        engine = open_database(settings.database_path)
        out = {}
        for fmt in ExportFormat:
            t = time.perf_counter()
            summary = export(engine, fmt, io.BytesIO())
            out[fmt] = summary
            print(f"{fmt.value}: {summary.rows} rows, {summary.describe()} "
                  f"in {time.perf_counter() - t:.2f}s")  # fmt: skip
        grpo = export(engine, ExportFormat.grpo, io.BytesIO(), ExportFilter(role="engineer"))
        groups = grpo.rows
        varied = grpo.groups_with_variance or 0
        result = {
            "bench": "rollouts",
            "group_size": K,
            "groups": groups,
            "groups_with_variance": round(varied / max(groups, 1), 3),
            "preference_pairs": out[ExportFormat.preferences].rows,
            "openai_valid": round(openai_valid(rows(engine, ExportFormat.sft_openai)), 3),
            "trl_valid": round(trl_valid(rows(engine, ExportFormat.sft_trl)), 3),
            "rollouts_per_min": round(done / (wall / 60), 2),
            "export_ratio": round(export_ratio(engine), 3),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
