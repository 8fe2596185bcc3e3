"""Backups against a real S3-compatible server: online snapshot, verified restore,
retention, and failures injected on the way (a failing part, a corrupt object, no bucket)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import Engine

from arena_core.backup import BackupError, RestoreRefused, backup, restore
from arena_core.backup.codec import Codec
from arena_core.backup.snapshot import file_sha256, logical_digest
from arena_core.backup.store import Bucket
from arena_core.bus import Bus
from arena_core.events import Envelope
from arena_core.settings import Settings
from tests.backup.faulty_proxy import FaultyProxy
from tests.recorder.recording import SampleNote, max_recorded, settle
from tests.support.s3 import S3


async def record_notes(bus: Bus, engine: Engine, count: int, size: int = 2000) -> int:
    envelopes = [
        Envelope.new(SampleNote(text=f"{i} " + "n" * size), run_id="r") for i in range(count)
    ]
    await bus.publish_many(envelopes)
    return await settle(bus, engine)


async def test_a_backup_taken_while_the_recorder_writes_restores_to_the_same_tables(
    bus: Bus, engine: Engine, recorder: object, settings: Settings, s3: S3
) -> None:
    await record_notes(bus, engine, 300)
    config = s3.settings(settings)
    writing = asyncio.create_task(record_notes(bus, engine, 300))
    manifest = await asyncio.to_thread(backup, config)
    await writing
    assert manifest.codec == "xz-6" and manifest.level == 6 and manifest.ratio > 1
    assert 300 <= manifest.tables["messages"].rows <= 600 + 4
    assert manifest.recorded_seq == manifest.tables["messages"].rows
    await recorder.stop()  # type: ignore[attr-defined]
    engine.dispose()
    before = max_recorded(engine)
    engine.dispose()
    restored = await asyncio.to_thread(restore, config)
    assert restored.backup_id == manifest.backup_id
    assert logical_digest(settings.database_path) == manifest.tables
    assert max_recorded(engine) == manifest.recorded_seq < before
    conn = sqlite3.connect(settings.database_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


async def test_a_part_that_fails_once_is_retried_and_the_backup_succeeds(
    bus: Bus, engine: Engine, recorder: object, settings: Settings, s3: S3
) -> None:
    await record_notes(bus, engine, 50)
    with FaultyProxy(s3.endpoint, fail_parts=1) as proxy:
        config = s3.settings(settings, s3_endpoint_url=proxy.url)
        manifest = await asyncio.to_thread(backup, config, codec=Codec.zstd22_long)
    assert proxy.failed == 1 and proxy.parts_seen >= 2
    head = s3.client().head_object(Bucket=s3.bucket, Key=manifest.object_key)
    assert head["ContentLength"] == manifest.object_bytes


async def test_a_corrupted_object_is_refused_and_the_database_is_untouched(
    bus: Bus, engine: Engine, recorder: object, settings: Settings, s3: S3
) -> None:
    await record_notes(bus, engine, 50)
    config = s3.settings(settings)
    manifest = await asyncio.to_thread(backup, config)
    client = s3.client()
    data = bytearray(client.get_object(Bucket=s3.bucket, Key=manifest.object_key)["Body"].read())
    data[len(data) // 2] ^= 0xFF
    client.put_object(Bucket=s3.bucket, Key=manifest.object_key, Body=bytes(data))
    await recorder.stop()  # type: ignore[attr-defined]
    engine.dispose()
    current = file_sha256(settings.database_path)
    with pytest.raises(RestoreRefused, match="object SHA-256 does not match"):
        await asyncio.to_thread(restore, config)
    assert file_sha256(settings.database_path) == current
    assert not list(settings.database_path.parent.glob("*.before-restore"))


def test_a_missing_bucket_is_a_clear_error(settings: Settings, s3: S3) -> None:
    settings.database_path.parent.mkdir(parents=True)
    sqlite3.connect(settings.database_path).close()
    with pytest.raises(BackupError, match="bucket 'no-such-bucket' does not exist at http://"):
        backup(s3.settings(settings, s3_bucket="no-such-bucket"))


async def test_retention_keeps_the_newest_n(
    bus: Bus, engine: Engine, recorder: object, settings: Settings, s3: S3
) -> None:
    await record_notes(bus, engine, 10)
    config = s3.settings(settings, backup_keep=2)
    made = [(await asyncio.to_thread(backup, config)).backup_id for _ in range(3)]
    kept = [m.backup_id for m in Bucket(config).manifests()]
    assert kept == made[1:]


async def test_the_same_idempotency_key_makes_one_backup(
    bus: Bus, engine: Engine, recorder: object, settings: Settings, s3: S3
) -> None:
    await record_notes(bus, engine, 10)
    config = s3.settings(settings)
    first = await asyncio.to_thread(backup, config, idempotency_key="daily-2026-12-01")
    again = await asyncio.to_thread(backup, config, idempotency_key="daily-2026-12-01")
    assert again == first
    assert len(Bucket(config).manifests()) == 1
