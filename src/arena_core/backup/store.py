"""The bucket: multipart upload with per-part retries, manifests, retention, download.

Any S3 endpoint works (``ARENA_S3_ENDPOINT_URL``). botocore's own retries are off so
that a failing part is retried here, by part, with backoff; a part that fails
``PART_ATTEMPTS`` times aborts the whole upload (no half object is left behind).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from arena_core.backup.errors import BackupError
from arena_core.backup.manifest import Manifest
from arena_core.settings import Settings

log = logging.getLogger("arena.backup")

PART_BYTES = 8 * 1024 * 1024
PART_ATTEMPTS = 4
BACKOFF_S = (0.2, 1.0, 3.0)
MANIFEST_SUFFIX = ".manifest.json"


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__


class Bucket:
    """One S3 bucket and key prefix, from ``ARENA_S3_*``."""

    def __init__(self, settings: Settings) -> None:
        if not settings.s3_bucket:
            raise BackupError("no bucket configured: set ARENA_S3_BUCKET")
        self.name = settings.s3_bucket
        self.prefix = settings.s3_prefix
        self.endpoint = settings.s3_endpoint_url or f"s3 ({settings.s3_region})"
        key = settings.s3_access_key_id
        secret = settings.s3_secret_access_key
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=key.get_secret_value() if key else None,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(retries={"max_attempts": 1, "mode": "standard"},
                          connect_timeout=10, read_timeout=120),
        )  # fmt: skip

    def _fail(self, what: str, exc: Exception) -> BackupError:
        code = _code(exc)
        if code in ("NoSuchBucket", "404") and "bucket" in what:
            return BackupError(f"bucket {self.name!r} does not exist at {self.endpoint}")
        return BackupError(f"{what} failed at {self.endpoint}: {code}")

    def check(self) -> None:
        """``BackupError`` unless the bucket exists and answers."""
        try:
            self.client.head_bucket(Bucket=self.name)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(f"access to bucket {self.name!r}", exc) from None

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def upload(self, path: Path, key: str) -> None:
        """Multipart upload of ``path``, each part retried on failure."""
        try:
            upload_id = self.client.create_multipart_upload(Bucket=self.name, Key=key)["UploadId"]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(f"starting the upload to bucket {self.name!r}", exc) from None
        parts = []
        try:
            with path.open("rb") as f:
                number = 1
                while True:
                    data = f.read(PART_BYTES)
                    if not data and number > 1:
                        break
                    etag = self._part(key, upload_id, number, data)
                    parts.append({"ETag": etag, "PartNumber": number})
                    number += 1
                    if len(data) < PART_BYTES:
                        break
            self.client.complete_multipart_upload(
                Bucket=self.name, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )  # fmt: skip
        except BaseException as exc:
            try:
                self.client.abort_multipart_upload(Bucket=self.name, Key=key, UploadId=upload_id)
            except (ClientError, BotoCoreError):
                log.warning("could not abort upload of %s", key)
            if isinstance(exc, BackupError):
                raise
            if isinstance(exc, ClientError | BotoCoreError):
                raise self._fail(f"upload of {key}", exc) from None
            raise

    def _part(self, key: str, upload_id: str, number: int, data: bytes) -> str:
        for attempt in range(PART_ATTEMPTS):
            try:
                answer = self.client.upload_part(
                    Bucket=self.name, Key=key, UploadId=upload_id, PartNumber=number, Body=data
                )
                return str(answer["ETag"])
            except (ClientError, BotoCoreError) as exc:
                if attempt + 1 == PART_ATTEMPTS:
                    raise self._fail(f"part {number} of {key}", exc) from None
                log.warning("part %d of %s failed (%s), retrying", number, key, _code(exc))
                time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
        raise AssertionError("unreachable")

    def put_manifest(self, manifest: Manifest) -> None:
        body = manifest.model_dump_json(indent=2).encode()
        try:
            self.client.put_object(
                Bucket=self.name, Key=self.key(manifest.backup_id + MANIFEST_SUFFIX), Body=body,
                ContentType="application/json",
            )  # fmt: skip
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("upload of the manifest", exc) from None

    def manifests(self) -> list[Manifest]:
        """Every backup's manifest, oldest first."""
        found: list[Manifest] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=self.prefix
            )
            keys = [
                obj["Key"]
                for page in pages
                for obj in page.get("Contents", [])
                if obj["Key"].endswith(MANIFEST_SUFFIX)
            ]
            for key in sorted(keys):
                body = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
                found.append(Manifest.model_validate_json(body))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(f"listing bucket {self.name!r}", exc) from None
        return sorted(found, key=lambda m: m.backup_id)

    def download(self, key: str, target: Path) -> None:
        try:
            self.client.download_file(self.name, key, str(target))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(f"download of {key}", exc) from None

    def delete(self, manifest: Manifest) -> None:
        keys = [manifest.object_key, self.key(manifest.backup_id + MANIFEST_SUFFIX)]
        try:
            self.client.delete_objects(
                Bucket=self.name, Delete={"Objects": [{"Key": k} for k in keys]}
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(f"deleting backup {manifest.backup_id}", exc) from None
