"""Sequence gap check: is every stream message in the recording?

A missing sequence is classified against the stream when it is reachable: still in the
stream and already acked by the recorder means it was **lost**; still in the stream and
not yet acked means the recorder is **pending**; no longer in the stream means it was
**deleted** (purged, expired or removed: legitimate, nothing to record).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from nats.js.errors import NotFoundError
from pydantic import BaseModel
from sqlalchemy import Engine, select

from arena_core.bus import Bus
from arena_core.db.tables import messages
from arena_core.recorder.service import DURABLE


class GapKind(StrEnum):
    """What a missing sequence means."""

    lost = "lost"
    """In the stream, acked by the recorder, absent from the database: a defect."""
    pending = "pending"
    """In the stream and not yet acked: the recorder has not reached it."""
    deleted = "deleted"
    """No longer in the stream (deleted, purged or expired)."""
    unknown = "unknown"
    """The stream could not be asked."""


class Gap(BaseModel):
    """A run of consecutive missing sequences of one kind."""

    first: int
    """First missing sequence."""
    last: int
    """Last missing sequence (inclusive)."""
    kind: GapKind
    """What it means."""


class GapReport(BaseModel):
    """The outcome of ``arena replay --check``."""

    recorded: int
    """Rows in the database."""
    first_seq: int
    """Lowest recorded sequence."""
    last_seq: int
    """Highest recorded sequence."""
    stream_last_seq: int | None
    """The stream's last sequence, when reachable."""
    gaps: list[Gap]
    """Missing sequences, grouped."""

    @property
    def lost(self) -> int:
        return sum(g.last - g.first + 1 for g in self.gaps if g.kind is GapKind.lost)

    @property
    def ok(self) -> bool:
        return not any(g.kind in (GapKind.lost, GapKind.unknown) for g in self.gaps)


def missing_ranges(engine: Engine, upto: int) -> Iterator[tuple[int, int]]:
    """Ranges of sequences in ``1..upto`` with no row, streamed in order."""
    expected = 1
    with engine.connect() as conn:
        for (seq,) in conn.execute(select(messages.c.seq).order_by(messages.c.seq)):
            if seq > upto:
                break
            if seq > expected:
                yield expected, seq - 1
            expected = seq + 1
    if expected <= upto:
        yield expected, upto


async def check_gaps(
    engine: Engine, bus: Bus | None = None, *, probe_limit: int = 10_000
) -> GapReport:
    """Find and classify every missing sequence (asking the stream when ``bus`` is given)."""
    with engine.connect() as conn:
        seqs = conn.execute(
            select(messages.c.seq).order_by(messages.c.seq.desc()).limit(1)
        ).scalar()
        first = conn.execute(select(messages.c.seq).order_by(messages.c.seq).limit(1)).scalar()
        from sqlalchemy import func

        count = int(conn.execute(select(func.count()).select_from(messages)).scalar_one())
    last = int(seqs or 0)
    stream_last: int | None = None
    ack_floor = last
    if bus is not None:
        info = await bus.js.stream_info(bus.stream.name)
        stream_last = int(info.state.last_seq)
        try:
            consumer = await bus.js.consumer_info(bus.stream.name, DURABLE)
            ack_floor = int(consumer.ack_floor.stream_seq or 0) if consumer.ack_floor else 0
        except NotFoundError:
            ack_floor = 0
    upto = max(last, stream_last or 0)
    gaps: list[Gap] = []
    probed = 0
    for lo, hi in missing_ranges(engine, upto):
        for seq in range(lo, hi + 1):
            kind = GapKind.unknown
            if bus is not None and probed < probe_limit:
                probed += 1
                kind = await _classify(bus, seq, ack_floor)
            if gaps and gaps[-1].kind is kind and gaps[-1].last == seq - 1:
                gaps[-1] = Gap(first=gaps[-1].first, last=seq, kind=kind)
            else:
                gaps.append(Gap(first=seq, last=seq, kind=kind))
    return GapReport(
        recorded=count, first_seq=int(first or 0), last_seq=last, stream_last_seq=stream_last,
        gaps=gaps,
    )  # fmt: skip


async def _classify(bus: Bus, seq: int, ack_floor: int) -> GapKind:
    try:
        await bus.js.get_msg(bus.stream.name, seq, direct=True)
    except NotFoundError:
        return GapKind.deleted
    return GapKind.lost if seq <= ack_floor else GapKind.pending
