"""Running a batch job from a command: the stack's missing services start in this process,
the job goes on the bus like any other, and its children's progress is shown.

A command and ``arena submit`` publish the same request to the same worker; the command
only adds the services that are not running yet and a progress callback.

    answer = await run_batch(settings, Envelope.new(job), replies, needs=BATCH_SERVICES)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from arena_core.events import Envelope, Payload, subject_for
from arena_core.events.engineer import SolveJobCompleted, SolveJobFailed, SolveJobRequested
from arena_core.events.wire import HEADER_CAUSATION, HEADER_MSG_ID
from arena_core.settings import Settings

BATCH_SERVICES = ("recorder", "simrunner", "planner", "engineer", "critic", "batcher")
"""What a batch of solves runs on: the recording (it answers the selection), the team and
the batch worker."""

Progress = Callable[[int, int], None]
"""Called with (children ended, children published) whenever either changes."""


async def run_batch(
    settings: Settings,
    job: Envelope[Any],
    replies: Sequence[type[Payload]],
    *,
    needs: Sequence[str] = BATCH_SERVICES,
    child_timeout_s: float,
    concurrency: int,
    progress: Progress = lambda _done, _total: None,
) -> Envelope[Any]:
    """Publish ``job`` and return its answer; start the ``needs`` that no process runs.

    The wait has a deadline that grows with the children published: every child has
    ``child_timeout_s``, ``concurrency`` of them at a time, so the batch must have
    answered by then. ``RequestFailed`` when the job itself is rejected, ``TimeoutError``
    when the deadline passes.
    """
    from arena_core.stack import nats_for, probe_health, services_in_process

    with nats_for(settings) as live:
        assert live.nats_url
        running = {h.service for h in await probe_health(live.nats_url, wait_s=0.5)}
        missing = [s for s in needs if s not in running]
        async with services_in_process(live, missing, record=False) as bus:
            children: set[str] = set()
            ended: set[str] = set()

            async def on_child(msg: Any) -> None:
                headers = msg.headers or {}
                if msg.subject == subject_for(SolveJobRequested.EVENT_TYPE):
                    if headers.get(HEADER_CAUSATION) == job.id:
                        children.add(headers.get(HEADER_MSG_ID, ""))
                elif headers.get(HEADER_CAUSATION) in children:
                    ended.add(headers[HEADER_CAUSATION])
                progress(len(ended), len(children))

            subs = [
                await bus.nc.subscribe(subject_for(m.EVENT_TYPE), cb=on_child)
                for m in (SolveJobRequested, SolveJobCompleted, SolveJobFailed)
            ]
            answer = asyncio.create_task(bus.request(job, replies, timeout=1e9))
            try:
                loop = asyncio.get_running_loop()
                start = loop.time()
                while not answer.done():
                    rounds = -(-len(children) // concurrency) + 1
                    if loop.time() - start > child_timeout_s * rounds + 60:
                        raise TimeoutError(
                            f"{job.type} {job.id} not answered in time "
                            f"({len(ended)} of {len(children)} children ended)"
                        )
                    await asyncio.wait({answer}, timeout=1.0)
                return answer.result()
            finally:
                answer.cancel()
                with contextlib.suppress(BaseException):
                    await answer
                for sub in subs:
                    with contextlib.suppress(Exception):
                        await sub.unsubscribe()
