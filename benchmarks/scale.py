"""Team workers scale when their agents wait on a model.

    .venv/bin/python benchmarks/scale.py [--jobs 32] [--engineers 4] [--latency-s 1 2]

One stack (embedded NATS, 2 simrunners) whose planner, engineer and critic use the
``anthropic`` policy pointed at a Messages API on loopback that answers every call after
a seeded 1-2 s delay. Its answers drive real solves through the real tools: the planner
and the critic answer with the team's own rules (their offline deciders), the engineer
with a short scripted session (a few planning turns, then ``run_cad`` of one catalogue
design, ``estimate``, ``submit``), so a solve is mostly waiting on the model, as with
Claude. The same N solve jobs run twice in the same run, all submitted at once: first
with one process each of planner, engineer and critic, then with ``--engineers`` of
each; ``scale`` is the throughput of the second over the first.

``cpu_s_per_solve`` is each service's CPU time (its processes and their sandbox
children) per solve: a solve should be mostly waiting, which is what makes it scale.

Last line: ``{"bench": "scale", "engineers": 4, "scale": s, ...}``; goal s >= 3.5.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

# Sibling harnesses share names with packages (benchmarks/simrunner.py): import the packages;
# the loopback Messages API is the test suite's.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from tests.llm.fake_messages_api import FakeMessagesApi, Reply, message  # noqa: E402

from arena_core.bus import Bus, EmbeddedNats, RequestFailed, RequestTimeout  # noqa: E402
from arena_core.events import Envelope  # noqa: E402
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed  # noqa: E402
from arena_core.events.llm import AssistantBlock, Message, TextBlock, ToolUseBlock  # noqa: E402
from arena_core.jobs import find_job  # noqa: E402
from arena_core.jobs.examples import example_envelope  # noqa: E402
from arena_core.llm import CallParameters, LlmRequest, tool_use_id  # noqa: E402
from arena_core.settings import Settings  # noqa: E402
from arena_core.stack import ServiceProcesses, wait_until_running  # noqa: E402
from engineer.briefs import task_of  # noqa: E402
from engineer.catalogue import TEMPLATES, decode, templates_for  # noqa: E402
from engineer.policies import TEAM_DECIDERS  # noqa: E402
from engineer.policies.history import calls  # noqa: E402

TEAM = ("planner", "engineer", "critic")
JOB_TIMEOUT_S = 900.0
FAKE_KEY = "sk-ant-scale-harness-not-a-key"


def as_request(body: dict[str, Any], role: str) -> LlmRequest:
    """The ``LlmRequest`` a Messages API body was made from (enough for the deciders)."""
    messages = tuple(Message.model_validate(m) for m in body["messages"])
    system = "".join(part.get("text", "") for part in body.get("system", []))
    first = orjson.dumps(body["messages"][0], option=orjson.OPT_SORT_KEYS)
    conversation = hashlib.sha256(system.encode() + first).hexdigest()[:32]
    return LlmRequest(
        conversation_id=conversation,
        turn_index=len(messages) // 2,
        agent_role=role,
        model=body["model"],
        parameters=CallParameters(max_tokens=body["max_tokens"]),
        system=system,
        messages=messages,
    )


def role_of(body: dict[str, Any]) -> str:
    tools = {t["name"] for t in body.get("tools", [])}
    if "write_plan" in tools:
        return "planner"
    if "review" in tools:
        return "critic"
    return "engineer"


def engineer_turn(request: LlmRequest, planning_turns: int) -> list[AssistantBlock]:
    """A short engineer session: planning turns, one catalogue design, estimate, submit."""
    task = task_of(request.messages)
    history = calls(request)

    def use(name: str, arguments: dict[str, Any], say: str) -> list[AssistantBlock]:
        block = ToolUseBlock(id=tool_use_id(request, 0), name=name, input=arguments)
        return [TextBlock(text=say), block]

    step = len(history)
    if step < planning_turns:
        if task.items and step % 2:
            item = task.items[0].id
            return use("update_todo", {"item_id": item, "status": "in_progress"}, "Planning.")
        return use(
            "read_skills", {"query": f"{task.spec.family} {task.spec.goal.kind}"}, "Reading."
        )
    made = [c for c in history if c.name == "run_cad" and not c.is_error]
    if not made:
        for template in templates_for(task.spec):
            design = decode(task.spec, template, tuple(0.5 for _ in range(TEMPLATES[template][1])))
            if design is not None:
                arguments = {"code": design.code(), "placements": design.placements()}
                return use("run_cad", arguments, f"Modelling a {template}.")
        return [TextBlock(text="No catalogue design fits.")]
    design_id = made[-1].result["design_id"]
    if not any(c.name == "estimate" for c in history):
        return use("estimate", {"design_id": design_id}, "Checking mass and cost.")
    if not any(c.name == "submit" for c in history):
        return use("submit", {"design_id": design_id}, "Submitting.")
    return [TextBlock(text="Submitted; done.")]


class ModelOnLoopback:
    """The Messages API's answers: the team's moves after a seeded latency."""

    def __init__(self, latency_s: tuple[float, float], planning_turns: int, seed: int) -> None:
        self.latency_s = latency_s
        self.planning_turns = planning_turns
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.calls = 0

    def __call__(self, body: dict[str, Any]) -> Reply:
        role = role_of(body)
        request = as_request(body, role)
        if role == "engineer":
            blocks = engineer_turn(request, self.planning_turns)
        else:
            blocks = list(TEAM_DECIDERS[role](request, random.Random(0)))  # type: ignore[arg-type]
        with self.lock:
            delay = self.rng.uniform(*self.latency_s)
            self.calls += 1
        uses = any(isinstance(b, ToolUseBlock) for b in blocks)
        content = [b.model_dump(mode="json") for b in blocks]
        reply = message(content, stop_reason="tool_use" if uses else "end_turn")
        return replace(reply, delay_s=delay)


def cpu_seconds(pids: dict[int, str]) -> dict[str, float]:
    """CPU time so far of each service: its processes and all their descendants (the
    sandbox's fork servers and jobs), from ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        pid = int(stat.parent.name)
        parent[pid] = int(fields[1])
        used[pid] = sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    totals: dict[str, float] = {}
    for pid, seconds in used.items():
        walk = pid
        while walk not in pids and walk in parent and walk > 1:
            walk = parent[walk]
        if walk in pids:
            totals[pids[walk]] = totals.get(pids[walk], 0.0) + seconds
    return totals


def solve_jobs(n: int, tag: str) -> list[Envelope[Any]]:
    example = example_envelope(find_job("solve"))
    if example is None:
        raise SystemExit("no example solve job")
    return [
        Envelope.new(example.payload.model_copy(update={"key": f"scale-{tag}-{i}"}))
        for i in range(n)
    ]


async def run_wave(bus: Bus, jobs: list[Envelope[Any]]) -> tuple[float, dict[str, int]]:
    """Submit every job at once; wall seconds until the last answer, outcomes counted."""

    async def one(job: Envelope[Any]) -> str:
        try:
            reply = await bus.request(
                job, [SolveJobCompleted, SolveJobFailed], timeout=JOB_TIMEOUT_S
            )
        except RequestFailed as failed:
            return failed.reply.type
        except RequestTimeout:
            return "timeout"
        if isinstance(reply.payload, SolveJobCompleted):
            return "solved" if reply.payload.solved else "unsolved"
        return reply.type

    began = time.monotonic()
    outcomes = await asyncio.gather(*(one(j) for j in jobs))
    wall = time.monotonic() - began
    counted: dict[str, int] = {}
    for outcome in outcomes:
        counted[outcome] = counted.get(outcome, 0) + 1
    return wall, counted


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=32, help="solve jobs per phase")
    parser.add_argument("--engineers", type=int, default=4, help="processes per role, phase 2")
    parser.add_argument("--latency-s", type=float, nargs=2, default=(1.0, 2.0))
    parser.add_argument("--planning-turns", type=int, default=4)
    parser.add_argument("--simrunners", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    model = ModelOnLoopback(tuple(args.latency_s), args.planning_turns, args.seed)
    api = FakeMessagesApi(default=model)
    with tempfile.TemporaryDirectory(prefix="arena-scale-") as tmp, api.serving():
        home, workspace = Path(tmp) / ".arena", Path(tmp) / "workspace"
        nats = EmbeddedNats(home / "nats", log_file=Path(tmp) / "nats.log").start()
        settings = Settings(home=home, workspace=workspace, nats_url=nats.url)
        extra = {
            "ARENA_HOME": str(home),
            "ARENA_WORKSPACE": str(workspace),
            "ARENA_LLM": "anthropic",
            "ANTHROPIC_API_KEY": FAKE_KEY,
            "ARENA_ANTHROPIC_BASE_URL": api.url,
        }
        procs = ServiceProcesses(settings, home / "logs", extra_env=extra)
        phases: list[dict[str, Any]] = []
        try:
            procs.start("simrunner", args.simrunners)
            for count in (1, args.engineers):
                for role in TEAM:
                    have = sum(1 for w in procs.workers if w.service == role)
                    procs.start(role, count - have)
                expected = {role: count for role in TEAM} | {"simrunner": args.simrunners}
                await wait_until_running(nats.url, expected, timeout=600)
                pids = {w.proc.pid: w.service for w in procs.workers}
                async with Bus(nats.url, name="scale") as bus:
                    calls_before = model.calls
                    cpu_before = cpu_seconds(pids)
                    wall, outcomes = await run_wave(bus, solve_jobs(args.jobs, f"x{count}"))
                    cpu_after = cpu_seconds(pids)
                phase = {
                    "processes": count,
                    "wall_s": round(wall, 1),
                    "jobs_per_min": round(60 * args.jobs / wall, 2),
                    "model_calls": model.calls - calls_before,
                    "outcomes": outcomes,
                    "cpu_s_per_solve": {
                        name: round((cpu_after[name] - cpu_before.get(name, 0.0)) / args.jobs, 2)
                        for name in sorted(cpu_after)
                    },
                }
                phases.append(phase)
                print(f"{count} per role: {orjson.dumps(phase).decode()}", flush=True)
        finally:
            procs.stop()
            nats.stop()
    one, many = phases
    print(
        orjson.dumps(
            {
                "bench": "scale",
                "engineers": args.engineers,
                "scale": round(one["wall_s"] / many["wall_s"], 3),
                "jobs": args.jobs,
                "latency_s": list(args.latency_s),
                "jobs_per_min": [one["jobs_per_min"], many["jobs_per_min"]],
                "model_calls_per_solve": round(many["model_calls"] / args.jobs, 1),
                "outcomes": many["outcomes"],
                "cpu_s_per_solve": many["cpu_s_per_solve"],
            }
        ).decode()
    )


if __name__ == "__main__":
    asyncio.run(main())
