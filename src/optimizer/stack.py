"""Services an ``arena optimize`` command needs; the missing ones start in this process
(``arena_core.stack.services_in_process``)."""

from __future__ import annotations

NEEDED = ("recorder", "simrunner", "planner", "engineer", "critic", "optimizer")
"""What an optimize job runs on: the recording, the team and the optimizer."""


async def missing_services(nats_url: str) -> list[str]:
    from arena_core.stack import probe_health

    running = {h.service for h in await probe_health(nats_url, wait_s=0.5) if h.status == "running"}
    return [s for s in NEEDED if s not in running]
