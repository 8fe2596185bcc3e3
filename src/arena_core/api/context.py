"""What every request handler shares: settings, the read-only database and the bus."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event

from arena_core.bus import Bus
from arena_core.db import require_current
from arena_core.settings import Settings


def read_only_engine(path: Path) -> Engine:
    """An engine that can only read ``path`` (the recorder is the only writer)."""
    if not path.is_file():
        raise FileNotFoundError(f"no recording at {path}: start the recorder first")
    engine = create_engine(
        f"sqlite:///file:{path.resolve()}?mode=ro&uri=true",
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=16,
        max_overflow=48,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    require_current(engine)
    return engine


@dataclass
class ApiContext:
    """The API process's shared state (one per app)."""

    settings: Settings
    engine: Engine
    bus: Bus | None = None
    submitted: OrderedDict[str, str] = field(default_factory=OrderedDict)
    """Job ids this process published that the recorder may not have stored yet."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def remember(self, job_id: str, kind: str, limit: int = 10_000) -> None:
        self.submitted[job_id] = kind
        while len(self.submitted) > limit:
            self.submitted.popitem(last=False)


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.arena
    return ctx


Context = Annotated[ApiContext, Depends(context)]
"""A route's ``ctx`` parameter: the app's ``ApiContext``."""
