"""A real S3-compatible server on loopback (moto's server mode), with a bucket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from arena_core.settings import Settings

ACCESS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class S3:
    endpoint: str
    bucket: str

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", **ACCESS)

    def settings(self, base: Settings, **changes: Any) -> Settings:
        return base.model_copy(
            update={
                "s3_endpoint_url": self.endpoint, "s3_bucket": self.bucket,
                "s3_access_key_id": _secret("testing"), "s3_secret_access_key": _secret("testing"),
                **changes,
            }
        )  # fmt: skip


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


@pytest.fixture
def s3() -> Iterator[S3]:
    """moto on a free loopback port with an empty bucket of its own."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    store = S3(endpoint=f"http://{host}:{port}", bucket=f"arena-backups-{uuid.uuid4().hex[:8]}")
    store.client().create_bucket(Bucket=store.bucket)
    try:
        yield store
    finally:
        server.stop()
