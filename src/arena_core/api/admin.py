"""``/admin``: backups (admin scope), meant for a daily cron.

``POST /admin/backup`` takes an ``Idempotency-Key``: a retried request with the same
key answers with the backup the first one made (200) instead of making another;
requests with the same key at the same time share one backup.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Header, Response

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.backup import BackupError, Manifest
from arena_core.backup import backup as run_backup
from arena_core.backup.run import find_by_key
from arena_core.backup.store import Bucket
from arena_core.settings import Settings


def router() -> APIRouter:
    r = APIRouter(tags=["admin"])
    running: dict[str, asyncio.Task[tuple[Manifest, bool]]] = {}

    @r.post(
        "/admin/backup", operation_id="create_backup", status_code=201,
        responses={
            200: {"description": "The backup this Idempotency-Key already made.",
                  "content": {"application/json": {
                      "schema": {"$ref": "#/components/schemas/Manifest"}}}},
            **responses(*COMMON, ProblemKind.schema_violation, ProblemKind.backup_failed,
                         ProblemKind.backup_not_configured),
        },
    )  # fmt: skip
    async def create_backup(
        response: Response,
        idempotency_key: str = Header(
            ...,
            min_length=8,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Unique per intended backup (e.g. the date, for a daily cron).",
        ),
        *,
        ctx: Context,
        _: auth.Admin,
    ) -> Manifest:
        """Snapshot the recording, compress it, upload it to S3, prune old backups."""
        _configured(ctx)
        try:
            task = running.get(idempotency_key)
            if task is None:
                task = asyncio.create_task(
                    asyncio.to_thread(_backup_once, ctx.settings, idempotency_key)
                )
                running[idempotency_key] = task
                task.add_done_callback(lambda _: running.pop(idempotency_key, None))
            manifest, made = await asyncio.shield(task)
        except BackupError as exc:
            raise ApiProblem(ProblemKind.backup_failed, str(exc)) from None
        if not made:
            response.status_code = 200
        return manifest

    @r.get(
        "/admin/backups", operation_id="list_backups",
        responses=responses(*COMMON, ProblemKind.backup_failed, ProblemKind.backup_not_configured),
    )  # fmt: skip
    async def list_backups(ctx: Context, _: auth.Admin) -> list[Manifest]:
        """The backups in the bucket, oldest first."""
        _configured(ctx)
        try:
            return await asyncio.to_thread(lambda: Bucket(ctx.settings).manifests())
        except BackupError as exc:
            raise ApiProblem(ProblemKind.backup_failed, str(exc)) from None

    return r


def _backup_once(settings: Settings, key: str) -> tuple[Manifest, bool]:
    """The backup ``key`` already made (and False), or a new one (and True)."""
    bucket = Bucket(settings)
    bucket.check()
    done = find_by_key(bucket, key)
    if done is not None:
        return done, False
    return run_backup(settings, idempotency_key=key), True


def _configured(ctx: ApiContext) -> None:
    if not ctx.settings.s3_bucket:
        raise ApiProblem(ProblemKind.backup_not_configured, "set ARENA_S3_BUCKET to back up")
