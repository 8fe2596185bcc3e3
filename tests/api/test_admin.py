"""``POST /admin/backup``: admin only, idempotent per key, the backup lands in S3."""

from __future__ import annotations

import asyncio

from tests.api.conftest import Server
from tests.support.s3 import S3


async def test_a_backup_by_http_is_made_once_per_idempotency_key(
    api_with_backups: Server, s3: S3
) -> None:
    key = {"Idempotency-Key": "daily-2026-12-01"}
    async with api_with_backups.client("admin") as client:
        first, second = await asyncio.gather(
            client.post("/admin/backup", headers=key), client.post("/admin/backup", headers=key)
        )
        later = await client.post("/admin/backup", headers=key)
        listed = (await client.get("/admin/backups")).json()
    assert first.status_code == second.status_code == 201, first.text
    assert later.status_code == 200
    ids = {first.json()["backup_id"], second.json()["backup_id"], later.json()["backup_id"]}
    assert len(ids) == 1 and [m["backup_id"] for m in listed] == list(ids)
    manifest = later.json()
    head = s3.client().head_object(Bucket=s3.bucket, Key=manifest["object_key"])
    assert head["ContentLength"] == manifest["object_bytes"]
    assert "testing" not in first.text  # no key or secret in a body


async def test_a_backup_needs_an_idempotency_key(api_with_backups: Server) -> None:
    async with api_with_backups.client("admin") as client:
        answer = await client.post("/admin/backup")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["header", "idempotency-key"]
