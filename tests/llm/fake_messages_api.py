"""A Messages API server on loopback: scripted replies, and a record of what it received."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, body (JSON-encoded unless bytes) and headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """How long the server waits before answering (to provoke client timeouts)."""


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def message(content: list[dict[str, Any]], stop_reason: str = "end_turn", **usage: int) -> Reply:
    """A successful Messages API response."""
    return Reply(
        200,
        {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5, **usage},
        },
    )


def api_error(status: int, kind: str, headers: dict[str, str] | None = None) -> Reply:
    """An error response shaped like Anthropic's."""
    body = {"type": "error", "error": {"type": kind, "message": f"fake {kind}"}}
    return Reply(status, body, headers or {})


class FakeMessagesApi:
    """Answers ``POST /v1/messages`` from a script, then from ``default`` when it runs out."""

    def __init__(self, default: Callable[[dict[str, Any]], Reply] | None = None) -> None:
        self.script: list[Reply] = []
        self.default = default or (lambda body: message([{"type": "text", "text": "done"}]))
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.url = ""

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            return self.script.pop(0) if self.script else self.default(body)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with api._lock:
                    api.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                reply = api.next_reply(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                data = reply.body
                if not isinstance(data, bytes):
                    data = json.dumps(data).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                # A client that timed out has hung up; that is what the test wanted.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def serving(self) -> Iterator[FakeMessagesApi]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        server.block_on_close = False
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
