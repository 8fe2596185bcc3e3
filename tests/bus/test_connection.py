"""The first connection fails within its deadline; reconnects are unlimited after it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from arena_core.bus import EmbeddedNats
from arena_core.bus.connection import BusUnavailable, connect
from arena_core.processes import free_port


async def test_an_unreachable_server_fails_the_first_connect_with_one_line() -> None:
    url = f"nats://127.0.0.1:{free_port('127.0.0.1')}"

    with pytest.raises(BusUnavailable) as raised:
        # The outer timeout only guards the test against the old endless retry.
        await asyncio.wait_for(connect(url, name="t", deadline_s=1.0), timeout=60)

    message = str(raised.value)
    assert url in message
    assert "\n" not in message


async def test_the_message_never_shows_a_password() -> None:
    url = f"nats://client:s3cret@127.0.0.1:{free_port('127.0.0.1')}"

    with pytest.raises(BusUnavailable) as raised:
        await asyncio.wait_for(connect(url, name="t", deadline_s=0.5), timeout=60)

    assert "s3cret" not in str(raised.value)
    assert url.replace("s3cret", "***") in str(raised.value)


async def test_after_a_first_connection_the_client_reconnects_to_a_restarted_server(
    tmp_path: Path,
) -> None:
    port = free_port("127.0.0.1")
    server = EmbeddedNats(tmp_path / "nats", port=port).start()
    client = await connect(server.url, name="t", deadline_s=10)
    try:
        server.stop()
        await asyncio.sleep(1.0)
        server = EmbeddedNats(tmp_path / "nats", port=port).start()
        for _ in range(200):
            if client.is_connected:
                break
            await asyncio.sleep(0.05)
        reply = await client.request("$JS.API.INFO", b"", timeout=5)
    finally:
        await client.close()
        server.stop()

    assert client.options["max_reconnect_attempts"] == -1
    assert b"memory" in reply.data


@pytest.mark.parametrize(
    "argv",
    [
        ["health", "--nats", "{url}"],
        ["submit", "--nats", "{url}", "benchmark"],
        ["replay", "--check"],
    ],
    ids=["health", "submit", "replay-check"],
)
def test_cli_commands_say_in_one_line_that_nats_is_unreachable(
    argv: list[str], tmp_path: Path
) -> None:
    url = f"nats://127.0.0.1:{free_port('127.0.0.1')}"
    arena = Path(sys.executable).with_name("arena")
    env = {"PATH": os.environ.get("PATH", ""), "ARENA_NATS_URL": url, "ARENA_HOME": str(tmp_path)}
    done = subprocess.run(
        [str(arena), *(a.format(url=url) for a in argv)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert url in done.stderr and "Traceback" not in done.stderr
