"""The recorder: every bus message, in stream order, into SQLite; nothing lost or twice.

It reads raw messages (undecodable ones too) from one durable consumer on ``arena.>``
and writes them in batched transactions. The database is the checkpoint: on start the
consumer is recreated to deliver from the sequence after the last recorded one, so a
recorder killed at any moment resumes exactly where its last commit ended and keeps
stream order. Acks (ack-all on the last message of a batch) go out only after commit;
a message delivered twice hits the sequence primary key and is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from arena_core.bus import Bus, PublishError
from arena_core.errors import ArenaError
from arena_core.events import SUBJECT_PREFIX
from arena_core.query.responder import QueryResponder
from arena_core.recorder.feed import Delivered, Feed
from arena_core.recorder.unowned import unowned_errors
from arena_core.recorder.writer import LogWriter
from arena_core.service import Lifecycle, ServiceHealth
from arena_core.settings import Settings
from arena_core.state.publisher import StatePublisher, touches

if TYPE_CHECKING:
    from arena_core.container import Container

log = logging.getLogger("arena.recorder")

DURABLE = "recorder"
GC_YOUNG_THRESHOLD = 50_000
"""Allocations between collections of the youngest generation while recording (Python's
default is 700: the recorder would spend a quarter of its time collecting)."""
LINGER_S = 0.02
"""How long a batch waits for more messages once the writer is free (recording latency)."""


class RecorderAlreadyRunning(ArenaError, RuntimeError):
    """Another recorder process holds this database."""


def consumer_config(after_seq: int, ack_wait_s: float, max_ack_pending: int) -> ConsumerConfig:
    """The recorder's consumer: every ``arena.>`` message after ``after_seq``, ack-all."""
    return ConsumerConfig(
        durable_name=DURABLE,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE if after_seq else DeliverPolicy.ALL,
        opt_start_seq=after_seq + 1 if after_seq else None,
        ack_policy=AckPolicy.ALL,
        ack_wait=ack_wait_s,
        max_deliver=-1,  # never give up on a message: the recording must be complete
        max_ack_pending=max_ack_pending,
        filter_subject=f"{SUBJECT_PREFIX}.>",
    )


DISK_FULL = "degraded: disk full"
"""The recorder's health status while a full disk holds it paused."""
DISK_FULL_BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Waits between attempts to write a batch again on a full disk."""


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the disk or the database file is full."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class StoppedWhileFull(ArenaError, RuntimeError):
    """The recorder was stopped while a full disk held a batch uncommitted."""

    def __init__(self, last_seq: int) -> None:
        super().__init__(f"nothing after sequence {last_seq} was acked")


class RecorderService(Lifecycle):
    """Records every bus message into the SQLite log and its projections."""

    name = "recorder"
    default_concurrency = 1

    def __init__(
        self,
        bus: Bus,
        settings: Settings,
        *,
        concurrency: int | None = None,
        container: Container | None = None,
    ) -> None:
        super().__init__(bus, settings, concurrency=1, container=container)
        self.engine: Engine | None = None
        self.batch = settings.recorder_batch
        self.recorded = 0
        self.last_seq = 0
        self.resumes = 0
        """Times the consumer was restarted after a lost delivery or a vanished consumer."""
        self._stopping = asyncio.Event()
        self._lock: IO[bytes] | None = None
        self._last_fetch: float | None = None
        self.shared: StatePublisher | None = None
        """Keeps the shared-state buckets equal to the tables."""
        self.queries: QueryResponder | None = None
        """Answers other nodes' queries of the recording (``arena_core.query``)."""

    # -- lifecycle --------------------------------------------------------------------

    async def setup(self) -> None:
        self._stopping.clear()
        self._take_lock()
        _tune_garbage_collector()
        self.engine = self.container.db_engine()
        self.writer = LogWriter(self.engine, self.settings.workspace)

    async def _prepare(self) -> None:
        self.last_seq = await asyncio.to_thread(self.writer.last_seq)
        self.shared = StatePublisher(
            self.bus.js, self.writer.engine, replicas=self.bus.stream.replicas
        )
        await self.shared.sync()  # the buckets are a projection: rewrite them from the tables
        await self._reset_consumer(self.last_seq)
        self.queries = QueryResponder(self.bus.nc, self.writer.engine)
        await self.queries.start()
        log.info("recording arena.> from sequence %d", self.last_seq + 1)

    def _stop_consuming(self) -> None:
        """Stop fetching; what was fetched is committed and acked."""
        self._stopping.set()

    async def teardown(self) -> None:
        if self.queries is not None and self.bus.connected:
            await self.queries.stop()
        self._release_lock()

    def _counts(self) -> tuple[int, int]:
        return self.recorded, 0

    def health(self) -> ServiceHealth:
        since = None
        if self._last_fetch is not None:
            since = round(asyncio.get_running_loop().time() - self._last_fetch, 3)
        return ServiceHealth(
            service=self.name, instance=self.instance, status=self.status,
            connected=self.bus.connected, in_flight=0, handled=self.recorded, failed=0,
            rejected=0, dead_lettered=0, seconds_since_fetch=since,
        )  # fmt: skip

    # -- consuming --------------------------------------------------------------------

    async def _reset_consumer(self, after_seq: int) -> None:
        js = self.bus.js
        stream = self.bus.stream.name
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, DURABLE)
        await js.add_consumer(
            stream,
            consumer_config(after_seq, self.settings.ack_wait_s * 2, self.batch * 16),
        )

    async def _consume(self) -> None:
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recorder-writer")
        try:
            while True:
                feed = await Feed(
                    self.bus.nc, self.bus.stream.name, DURABLE, window=self.batch * 8
                ).open()
                try:
                    await self._record(feed, writer)
                finally:
                    await feed.close()
                if feed.broken is None or self._stopping.is_set():
                    return
                # Restart after the last commit: what was lost is delivered again.
                log.warning("feed broke (%s); resuming after %d", feed.broken, self.last_seq)
                self.resumes += 1
                await self._reset_consumer(self.last_seq)
        except StoppedWhileFull as stopped:
            log.warning("stopped on a full disk; %s", stopped)
        except Exception:
            # Nothing past the last commit was acked: a restarted recorder resumes there.
            log.exception("recording stopped after sequence %d", self.last_seq)
            self.status = "failed"
            raise
        finally:
            writer.shutdown(wait=True)

    async def _record(self, feed: Feed, writer: ThreadPoolExecutor) -> None:
        """Commit batch k in the writer thread while batch k+1 arrives; ack after commit."""
        assert self.writer is not None
        loop = asyncio.get_running_loop()
        committing: asyncio.Future[int] | None = None
        last: Delivered | None = None
        pending: list[Delivered] = []
        count = 0
        while True:
            done = self._stopping.is_set() or feed.broken is not None
            batch = [] if done else await feed.take(self.batch, LINGER_S)
            self._last_fetch = loop.time()
            if committing is not None and last is not None:
                await self._committed(committing, pending, writer)
                if any(touches(d.msg.subject) for d in pending) and self.shared is not None:
                    await self.shared.sync()  # prompts or skills changed: tell every node
                await last.msg.ack()  # ack-all: covers every message up to this one
                self.recorded += count
                self.last_seq = max(self.last_seq, last.stream_seq)
                committing = None
            if batch:
                await self._answer_unowned(batch)
                last = max(batch, key=_by_stream_seq)
                count = len(batch)
                pending = batch
                committing = loop.run_in_executor(
                    writer, self.writer.write_deliveries, batch, self.bus.events
                )
            elif done:
                return

    async def _committed(
        self, committing: asyncio.Future[int], batch: list[Delivered], writer: ThreadPoolExecutor
    ) -> None:
        """Wait for a batch's commit. On a full disk, pause and write it again until it fits.

        Nothing of the batch is acked meanwhile, so JetStream keeps every message; health
        says ``degraded: disk full``. Any other failure stops the recorder as before.
        """
        assert self.writer is not None
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            try:
                await committing
            except Exception as exc:
                if not disk_full(exc):
                    raise
                wait = DISK_FULL_BACKOFF_S[min(attempt, len(DISK_FULL_BACKOFF_S) - 1)]
                attempt += 1
                if self.status != DISK_FULL:
                    log.error("disk full after sequence %d: recording pauses", self.last_seq)
                self.status = DISK_FULL
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)
                if self._stopping.is_set():
                    # Stopping on a full disk: the batch stays unacked in JetStream and a
                    # restarted recorder writes it after its last commit.
                    raise StoppedWhileFull(self.last_seq) from exc
                committing = loop.run_in_executor(
                    writer, self.writer.write_deliveries, batch, self.bus.events
                )
                continue
            if self.status == DISK_FULL:
                log.warning("disk has room again: recording resumes after %d", self.last_seq)
                self.status = "running"
            return

    async def _answer_unowned(self, batch: list[Delivered]) -> None:
        """Error events for messages on subjects no service consumes (see ``unowned``)."""
        for error in unowned_errors(batch, self.bus.events):
            try:
                await self.bus.publish(error)
            except PublishError as exc:  # reported best-effort: recording goes on
                log.warning("could not report %s: %s", error.payload.subject, exc)

    # -- one recorder per database ----------------------------------------------------

    def _take_lock(self) -> None:
        path = Path(f"{self.settings.database_path}.recorder.lock")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handle = os.fdopen(fd, "ab")  # held for the recorder's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RecorderAlreadyRunning(
                f"another recorder is writing {self.settings.database_path}"
            ) from None
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _by_stream_seq(delivered: Delivered) -> int:
    return delivered.stream_seq


def _tune_garbage_collector() -> None:
    """Make cyclic garbage collection cheap for a process that allocates per message.

    Every message leaves a few thousand objects alive in the pipeline for a moment, which
    with the default thresholds promotes them into full collections of everything the
    process ever loaded. What is alive when recording starts (modules, schemas, pools)
    lives as long as the process, so it is frozen out of collections once, and the
    youngest generation is collected less often. Memory is still freed by reference
    counting as soon as a message is done; only cycles wait a little longer.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
    young, middle, old = gc.get_threshold()
    if 0 < young < GC_YOUNG_THRESHOLD:
        gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
