"""``sft-openai``: OpenAI's chat fine-tuning format with tools, one row per conversation.

``{"messages", "tools", "parallel_tool_calls", "provenance"}``: assistant ``tool_calls``
with ``id``, ``type: "function"`` and ``function.arguments`` as JSON text; ``tool``
messages with ``tool_call_id``; ``tools[].function.parameters`` as a JSON Schema object.

The messages and tools of a conversation are rendered when its last answer is recorded
(``conversation_chats``): a row joins them with its provenance, decoding no history. A
conversation the projection has not rendered (or rendered up to another turn) is
rendered here from its recorded call, with the same functions (``arena_core.db.chat``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, select

from arena_core.db.chat import history as call_history
from arena_core.db.chat import messages, tools
from arena_core.db.tables import chats
from arena_core.export.conversations import Rollout, Source, decoded, described, finals, provenance
from arena_core.export.filters import ExportFilter, ExportSummary, Progress
from arena_core.export.recorded import MessageJson, RequestDecoder

__all__ = ["history", "messages", "row", "rows", "tools"]


def history(rollout: Rollout) -> list[MessageJson]:
    """The conversation up to and including the final answer."""
    return call_history(rollout.request, rollout.answer)


def row(rollout: Rollout) -> dict[str, Any]:
    """One ``sft-openai`` row."""
    return {
        "messages": list(
            messages(rollout.request["system"], history(rollout), arguments_as_text=True)
        ),
        "tools": tools(rollout.request["tools"]),
        "parallel_tool_calls": True,
        "provenance": provenance(rollout),
    }


_CHATS = select(chats.c.request_seq, chats.c.messages, chats.c.tools, chats.c.call).where(
    chats.c.request_seq.in_(bindparam("seqs", expanding=True))
)


def rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """Every ``sft-openai`` row: rendered chats where recorded, else from the calls."""
    decode = RequestDecoder()

    def read(conn: Connection, pending: list[tuple[int, Source]]) -> Iterator[dict[str, Any]]:
        seqs = {"seqs": [seq for seq, _ in pending]}
        rendered = {seq: (msgs, tls, call) for seq, msgs, tls, call in conn.execute(_CHATS, seqs)}
        missing = [(seq, source) for seq, source in pending if seq not in rendered]
        found_by = decoded(conn, missing, decode)
        fallback = dict(zip([seq for seq, _ in missing], found_by, strict=True))
        for seq, source in pending:
            found = rendered.get(seq)
            if found is None:
                yield row(fallback[seq])
                continue
            msgs, tls, call = found
            yield {
                "messages": orjson.Fragment(msgs),
                "tools": orjson.Fragment(tls),
                "parallel_tool_calls": True,
                "provenance": described(source, orjson.loads(call)),
            }

    yield from finals(engine, flt, summary, progress, read)
