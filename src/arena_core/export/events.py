"""``events``: every recorded message in stream order, as recorded (invalid ones quoted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from arena_core.db.tables import messages
from arena_core.export.filters import ExportFilter, ExportSummary, Progress, message_filters

PAGE = 2000
"""Messages read per query."""


def count(engine: Engine, flt: ExportFilter) -> int:
    """Messages the export will write."""
    with engine.connect() as conn:
        q = select(func.count()).select_from(messages).where(*message_filters(flt))
        return int(conn.execute(q).scalar_one())


def rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """One row per message: the envelope, or the raw body and why it did not decode."""
    last = 0
    while True:
        with engine.connect() as conn:
            page = conn.execute(
                select(messages.c.seq, messages.c.subject, messages.c.valid, messages.c.body,
                       messages.c.error_reason, messages.c.run_id, messages.c.agent_role)
                .where(messages.c.seq > last, *message_filters(flt))
                .order_by(messages.c.seq)
                .limit(PAGE)
            ).all()  # fmt: skip
        if not page:
            return
        for r in page:
            progress(1)
            yield {
                "seq": r.seq,
                "subject": r.subject,
                "valid": r.valid,
                "envelope": orjson.loads(r.body) if r.valid else None,
                "raw": None if r.valid else r.body.decode(errors="backslashreplace"),
                "error_reason": r.error_reason,
                "provenance": {"run_id": r.run_id, "seqs": [r.seq], "agent_role": r.agent_role},
            }
        last = page[-1].seq
