"""Dashboard: time to first render in headless Chromium, p50 over repeated loads.

1. A recording is made through the bus and the recorder (nothing written behind the
   recorder's back): one run of ``--events`` events (default 2,000: agent
   conversations of LLM calls whose requests carry the growing history, thoughts,
   tool calls and results, CAD submissions) and ``--runs`` small runs (default 1,000:
   a benchmark job and an LLM call each, so each has a family, tokens and cost).
2. ``arena api`` serves it (uvicorn, a read token); the system's Chromium opens the
   conversation viewer of the big run and the runs page, ``--repeat`` times each (a
   fresh navigation every time). Time to first render = navigation start to the first
   frame after the page's content is in the document (``performance.now()``).
   The first screen (the run's first 150 events, the first 100 runs) renders at once and
   the rest follows; the counts rendered in the end are reported too.
3. Baseline, same run, same tab, once the page has everything: the time the browser
   takes only to fetch and parse all the page's data (the whole run's timeline, the
   1,000 runs) with ``fetch`` + ``json()``; ``*_vs_fetch`` is first render over that.

Last line: one JSON object. Goals: both p50 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from playwright.async_api import Page, async_playwright

from arena_core.api import create_app
from arena_core.api.tokens import mint
from arena_core.bus import Bus
from arena_core.demo import wait_for_recorder
from arena_core.events import AgentRef, Envelope
from arena_core.events.access import Scope
from arena_core.events.agent import AgentThoughtRecorded, AgentToolCalled, AgentToolCompleted
from arena_core.events.benchmark import BenchmarkJobRequested
from arena_core.events.engineer import SolutionSubmitted
from arena_core.events.llm import (
    CallParameters,
    LlmCallCompleted,
    LlmCallRequested,
    Message,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from arena_core.ids import new_id
from arena_core.settings import Settings
from arena_core.spec.examples import ball_to_goal
from arena_core.spec.solution import Solution
from arena_core.stack import nats_for, services_in_process

ENGINEER = AgentRef(role="engineer", id="engineer-1")
CODE = "from build123d import Box\n\n\ndef build():\n    return [Box(0.2, 0.1, 0.01)]  # ramp\n"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TURNS_PER_CONVERSATION = 10


def conversation_run(run_id: str, events: int) -> list[Envelope[Any]]:
    """A run of ``events`` events: conversations of tool-using turns, a CAD submission
    every fifth turn."""
    spec = ball_to_goal(0)
    out: list[Envelope[Any]] = []
    conv, turn, history = "", 0, []
    while len(out) < events:
        if turn % TURNS_PER_CONVERSATION == 0:
            conv, history = new_id(), [Message(role="user", content=(TextBlock(text="Solve."),))]
        i = turn % TURNS_PER_CONVERSATION
        common = {"conversation_id": conv, "turn_index": i, "agent_role": "engineer"}
        use = ToolUseBlock(id=f"tu{turn}", name="measure", input={"part": f"p{turn}"})
        content = (TextBlock(text=f"Turn {turn}: measuring the ramp before the next cut."), use)
        request = LlmCallRequested(
            **common, model="m1", policy="offline", request_hash=f"{turn:064x}",
            parameters=CallParameters(max_tokens=256), system="You are an engineer.",
            messages=tuple(history),
        )  # fmt: skip
        completed = LlmCallCompleted(
            **common, model="m1", policy="offline", request_hash=request.request_hash,
            content=content, stop_reason="tool_use", cost_usd=0.002, latency_s=0.4,
            usage=Usage(input_tokens=400 + 50 * i, output_tokens=60),
        )  # fmt: skip
        batch: list[Any] = [
            request, completed,
            AgentThoughtRecorded(**common, text=f"The ramp needs {turn % 7 + 2} mm more."),
            AgentToolCalled(**common, tool_use_id=use.id, tool_name="measure",
                            arguments=use.input),
            AgentToolCompleted(**common, tool_use_id=use.id, tool_name="measure",
                               arguments=use.input, result="3.2 cm", duration_s=0.01),
        ]  # fmt: skip
        if turn % 5 == 4:
            submitted = SolutionSubmitted(
                plan_id="plan-1", solve_key="k", benchmark_id="bench-1", spec=spec,
                stage="preview", attempt=0, design_id=f"d{turn}", code=CODE, solution=Solution(),
            )  # fmt: skip
            batch.append(submitted)
        history += [
            Message(role="assistant", content=content),
            Message(role="user", content=(ToolResultBlock(tool_use_id=use.id, content="3.2 cm"),)),
        ]
        out += [Envelope.new(p, run_id=run_id, agent=ENGINEER) for p in batch]
        turn += 1
    return out[:events]


def small_runs(count: int) -> list[Envelope[Any]]:
    families = ["ball_to_goal", "funnel", "hold_load", "bridge_gap"]
    out: list[Envelope[Any]] = []
    for n in range(count):
        run_id = new_id()
        job = BenchmarkJobRequested(family=families[n % len(families)], seed=n)
        common = {"conversation_id": f"c{n}", "turn_index": 0, "agent_role": "generator"}
        request = LlmCallRequested(
            **common, model="m1", policy="offline", request_hash=f"{n:064x}",
            parameters=CallParameters(max_tokens=64), system="Generate.",
            messages=(Message(role="user", content=(TextBlock(text="A benchmark."),)),),
        )  # fmt: skip
        completed = LlmCallCompleted(
            **common, model="m1", policy="offline", request_hash=request.request_hash,
            content=(TextBlock(text="ok"),), stop_reason="end_turn", cost_usd=0.001,
            latency_s=0.2, usage=Usage(input_tokens=200, output_tokens=20),
        )  # fmt: skip
        out += [Envelope.new(p, run_id=run_id) for p in (job, request, completed)]
    return out


async def record(bus: Bus, envelopes: list[Envelope[Any]]) -> None:
    for start in range(0, len(envelopes), 500):
        await bus.publish_many(envelopes[start : start + 500])


def start_api(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0,
                            log_level="warning", access_log=False)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", server, thread


async def first_render(page: Page, url: str, hash: str) -> float:
    await page.goto("about:blank")
    await page.goto(f"{url}/ui/{hash}")
    await page.wait_for_function("h => document.body.dataset.rendered === h", arg=hash,
                                 timeout=120_000)  # fmt: skip
    rendered = float(await page.evaluate("Number(document.body.dataset.renderMs)")) / 1000
    await page.wait_for_function("h => document.body.dataset.complete === h", arg=hash,
                                 timeout=120_000)  # fmt: skip
    return rendered


async def fetch_only(page: Page, path: str) -> float:
    ms = await page.evaluate(
        """async (path) => { const t = performance.now();
        const r = await fetch(path, {headers: {Authorization:
          `Bearer ${sessionStorage.getItem('arena-token')}`}});
        await r.json(); return performance.now() - t; }""",
        path,
    )
    return float(ms) / 1000


async def measure(chromium: str, url: str, token: str, run_id: str, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="arena-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True, args=FLAGS,
                viewport={"width": 1360, "height": 900},
            )  # fmt: skip
            page = context.pages[0] if context.pages else await context.new_page()
            await page.goto(f"{url}/ui/")
            await page.fill("#token", token)
            await page.click("form.signin button")
            await page.wait_for_function("() => document.body.dataset.rendered === '#/runs'")
            conv_hash, runs_hash = f"#/run/{run_id}", "#/runs"
            timeline = f"/runs/{run_id}/timeline?envelopes=true&limit=2000&after=0"
            conv, runs, conv_fetch, runs_fetch = [], [], [], []
            for _ in range(repeat):
                conv.append(await first_render(page, url, conv_hash))
                conv_fetch.append(await fetch_only(page, timeline))
                runs.append(await first_render(page, url, runs_hash))
                runs_fetch.append(await fetch_only(page, "/dashboard/runs?limit=1000"))
            await page.wait_for_function("() => document.body.dataset.complete === '#/runs'")
            shown = await page.locator("table.runs tbody tr").count()
            await page.goto(f"{url}/ui/{conv_hash}")
            await page.wait_for_function("h => document.body.dataset.complete === h",
                                         arg=conv_hash, timeout=120_000)  # fmt: skip
            cards = await page.locator("article.event").count()
            await context.close()
    p50 = statistics.median
    return {
        "conversation_events_rendered": cards, "runs_rendered": shown,
        "conversation_first_render_p50_s": round(p50(conv), 3),
        "conversation_fetch_p50_s": round(p50(conv_fetch), 3),
        "conversation_vs_fetch": round(p50(conv) / p50(conv_fetch), 2),
        "runs_first_render_p50_s": round(p50(runs), 3),
        "runs_fetch_p50_s": round(p50(runs_fetch), 3),
        "runs_vs_fetch": round(p50(runs) / p50(runs_fetch), 2),
    }  # fmt: skip


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("no Chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="arena-dashboard-") as home:
        base = Settings(home=Path(home) / ".arena", workspace=Path(home) / "ws", nats_url=None)
        with nats_for(base) as settings:
            async with services_in_process(settings, ["recorder"]) as bus:
                token, created = mint("dashboard-bench", (Scope.read,))
                await bus.publish(Envelope.new(created))
                run_id = new_id()
                started = time.monotonic()
                await record(bus, conversation_run(run_id, args.events))
                await record(bus, small_runs(args.runs - 1))
                await wait_for_recorder(bus, 600)
                recorded_s = time.monotonic() - started
                url, server, thread = start_api(settings)
                try:
                    out = await measure(chromium, url, token, run_id, args.repeat)
                finally:
                    server.should_exit = True
                    await asyncio.to_thread(thread.join, 10)
    return {"events": args.events, "runs": args.runs, "repeat": args.repeat,
            "record_s": round(recorded_s, 2), **out}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--chromium", default=None)
    out = asyncio.run(main_async(parser.parse_args()))
    for key, value in out.items():
        print(f"{key:34} {value}")
    print(orjson.dumps(out).decode())


if __name__ == "__main__":
    main()
